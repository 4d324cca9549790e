import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * The broker did not take a submission in time. Its fate is unknown (a send already on the
 * wire may still arrive), so the answer names the execution id: submitting again with the same
 * id is safe, since the coordinator treats a repeat as a duplicate.
 */
export class SubmissionUnavailableException extends HttpException {
  constructor(
    readonly executionId: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `The event broker did not take the request within ${retryAfterSeconds} s; it may or may not be queued. Submit again with execution_id ${executionId} (a repeat is recognised as a duplicate).`,
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
