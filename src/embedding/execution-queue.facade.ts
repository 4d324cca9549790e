import { Injectable, type ArgumentMetadata } from '@nestjs/common';
import { SubmitExecutionDto } from '../admin/dto/submit-execution.dto.js';
import { FieldValidationException } from '../admin/http-exception.filter.js';
import { createValidationPipe } from '../admin/validation.pipe-factory.js';
import { QueueOperations } from '../application/queue-operations.service.js';
import { InvalidSubmissionError } from '../application/queue-errors.js';
import type { Priority } from '../contracts/priority.constants.js';
import type {
  ActiveExecutionView,
  CancellationRequestedView,
  ExecutionDetailView,
  PageView,
  PendingExecutionView,
  PendingQuery,
  QueueStatusView,
  ReprioritizedView,
  SubmissionRequest,
  UserDetailView,
  UsersPageView,
  UserWeightView,
} from '../application/queue-views.js';

export type { PendingQuery };

/** A submission, as the REST API's `POST /api/v1/executions` body (same fields, same rules). */
export type ExecutionSubmission = SubmissionRequest;

const SUBMISSION_METADATA: ArgumentMetadata = { type: 'body', metatype: SubmitExecutionDto };

/**
 * What a host platform uses to drive the queue from its own code: the queue operations the REST
 * API serves (QueueOperations), with typed inputs and outputs (the API's shapes) and typed errors
 * (ExecutionQueueError). A submission is checked by the same rules as the API's body, then
 * becomes an `execution_requested` event on the transport, so it gets the same delivery
 * guarantees, duplicate detection and limits as one that arrives from anywhere else.
 */
@Injectable()
export class ExecutionQueue {
  private readonly validation = createValidationPipe();

  constructor(private readonly operations: QueueOperations) {}

  /**
   * Submits an execution and returns its id (the one given, or a new UUID). Resolves once the
   * transport took the request; the queue's answer follows as `execution_accepted` or a refusal.
   */
  async submit(submission: ExecutionSubmission): Promise<string> {
    let dto: SubmitExecutionDto;
    try {
      dto = (await this.validation.transform(submission, SUBMISSION_METADATA)) as SubmitExecutionDto;
    } catch (error) {
      if (error instanceof FieldValidationException) throw new InvalidSubmissionError(error.fields);
      throw error;
    }
    return this.operations.submit(dto);
  }

  /** Asks for an execution to be cancelled (removed if pending, its pod stopped if active). */
  cancel(executionId: string): Promise<CancellationRequestedView> {
    return this.operations.cancel(executionId);
  }

  /** Moves a pending execution to another priority; returns its new position. */
  reprioritize(executionId: string, priority: Priority): Promise<ReprioritizedView> {
    return this.operations.reprioritize(executionId, priority);
  }

  /** Stops dispatching (what runs keeps running; submissions are still queued). */
  hold(): Promise<QueueStatusView> {
    return this.operations.hold();
  }

  resume(): Promise<QueueStatusView> {
    return this.operations.resume();
  }

  status(): Promise<QueueStatusView> {
    return this.operations.status();
  }

  /** A pending or active execution: its state, position, priorities and estimated start. */
  lookup(executionId: string): Promise<ExecutionDetailView> {
    return this.operations.execution(executionId);
  }

  pending(query: PendingQuery = {}, offset = 0, limit = 50): Promise<PageView<PendingExecutionView>> {
    return this.operations.pending(query, offset, limit);
  }

  active(offset = 0, limit = 50): Promise<PageView<ActiveExecutionView>> {
    return this.operations.active(offset, limit);
  }

  users(offset = 0, limit = 50): Promise<UsersPageView> {
    return this.operations.users(offset, limit);
  }

  user(userId: string): Promise<UserDetailView> {
    return this.operations.user(userId);
  }

  /** Sets a user's weight under fair order (1–100). */
  async setUserWeight(userId: string, weight: number): Promise<UserWeightView> {
    if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
      throw new InvalidSubmissionError([{ field: 'weight', problems: [`weight must be an integer from 1 to 100, got ${String(weight)}`] }]);
    }
    return this.operations.setUserWeight(userId, weight);
  }
}
