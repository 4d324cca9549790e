/**
 * A failure of infrastructure (broker, store) rather than of the message: the message is
 * retried, never dead-lettered.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  readonly code = 'TRANSIENT_FAILURE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Transient: our TransientError, and any kafkajs error (a publish that failed because the
 * broker is away). Everything else is a property of the message and would fail again.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && name.startsWith('KafkaJS');
}
