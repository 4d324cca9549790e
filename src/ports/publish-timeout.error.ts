/** A publish given a time limit (an abort signal) that the transport did not meet: the broker is away or slow. */
export class PublishTimeoutError extends Error {
  override readonly name = 'PublishTimeoutError';
  readonly code = 'PUBLISH_TIMEOUT';

  constructor(readonly what: string, options?: { cause?: unknown }) {
    super(`Publishing ${what} did not finish in time`, options);
  }
}
