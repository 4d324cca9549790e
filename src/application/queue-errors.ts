/** One bad field of a submission, with what is wrong with it. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/**
 * Base of every refusal the queue operations report (the facade passes them to a host, the REST
 * API's filter turns them into HTTP answers); `code` is stable for hosts to switch on.
 */
export abstract class ExecutionQueueError extends Error {
  abstract readonly code: string;
}

/** The submission breaks the same rules the REST API applies; `fields` names each bad field. */
export class InvalidSubmissionError extends ExecutionQueueError {
  override readonly name = 'InvalidSubmissionError';
  readonly code = 'INVALID_SUBMISSION';

  constructor(readonly fields: readonly FieldProblem[]) {
    super(`Invalid submission: ${fields.map((field) => `${field.field} (${field.problems.join('; ')})`).join(', ')}`);
  }
}

/**
 * The event transport did not take the submission in time. Its fate is unknown: submit again
 * with the same `executionId` (a repeat is recognised as a duplicate, never queued twice).
 */
export class SubmissionUnavailableError extends ExecutionQueueError {
  override readonly name = 'SubmissionUnavailableError';
  readonly code = 'SUBMISSION_UNAVAILABLE';

  constructor(
    readonly executionId: string,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** No pending or active execution has this id (it finished, was refused, or never existed). */
export class ExecutionNotFoundError extends ExecutionQueueError {
  override readonly name = 'ExecutionNotFoundError';
  readonly code = 'EXECUTION_NOT_FOUND';

  constructor(readonly executionId: string) {
    super(`No pending or active execution ${executionId}`);
  }
}

/** The command needs a pending execution and this one is already running. */
export class ExecutionNotPendingError extends ExecutionQueueError {
  override readonly name = 'ExecutionNotPendingError';
  readonly code = 'EXECUTION_NOT_PENDING';

  constructor(
    readonly executionId: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * This process runs the coordinator over Kafka but its consumers were never started, so the
 * submission would never be handled here. The host must start the transport first:
 * `app.connectMicroservice({ strategy: createTransportStrategy(app) })` and
 * `app.startAllMicroservices()`.
 */
export class TransportNotStartedError extends ExecutionQueueError {
  override readonly name = 'TransportNotStartedError';
  readonly code = 'TRANSPORT_NOT_STARTED';

  constructor() {
    super(
      'This process runs the coordinator over Kafka, but its consumers were never started: call app.connectMicroservice({ strategy: createTransportStrategy(app) }) and app.startAllMicroservices() before submitting',
    );
  }
}

/**
 * The queue's state store (Redis) could not be reached or could not serve the call; nothing was
 * changed. Worth trying again: the store reconnects by itself, and /health/ready (or
 * ExecutionQueueHealth) says when it is back.
 */
export class QueueUnavailableError extends ExecutionQueueError {
  override readonly name = 'QueueUnavailableError';
  readonly code = 'QUEUE_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
