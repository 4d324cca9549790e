/** Raised at start when the environment holds a value the service cannot run with. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIGURATION';

  constructor(
    readonly problems: readonly string[],
    heading = 'Invalid configuration',
  ) {
    super(`${heading}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}
