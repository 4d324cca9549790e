import { ConflictException, Injectable, NotFoundException, type ArgumentMetadata } from '@nestjs/common';
import type {
  ActivePageDto,
  CancellationRequestedDto,
  ExecutionDetailDto,
  PendingPageDto,
  ReprioritizedDto,
  UserDetailDto,
  UsersPageDto,
  UserWeightDto,
} from '../admin/dto/admin-responses.dto.js';
import type { QueueStatusDto } from '../admin/dto/queue-status.dto.js';
import { SubmitExecutionDto } from '../admin/dto/submit-execution.dto.js';
import { ExecutionSubmissionService } from '../admin/execution-submission.service.js';
import { FieldValidationException } from '../admin/http-exception.filter.js';
import { QueueAdminService } from '../admin/queue-admin.service.js';
import { SubmissionUnavailableException } from '../admin/submission-unavailable.exception.js';
import { createValidationPipe } from '../admin/validation.pipe-factory.js';
import type { Priority } from '../contracts/priority.constants.js';
import { isTransient } from '../ports/transient-error.js';
import { ExecutionNotFoundError, ExecutionNotPendingError, InvalidSubmissionError, QueueUnavailableError, SubmissionUnavailableError } from './execution-queue.errors.js';

/** A submission, as the REST API's `POST /api/v1/executions` body (same fields, same rules). */
export type ExecutionSubmission = { [K in keyof SubmitExecutionDto]: SubmitExecutionDto[K] };

/** Which pending executions a page lists. */
export interface PendingFilter {
  priority?: Priority;
  userId?: string;
}

const SUBMISSION_METADATA: ArgumentMetadata = { type: 'body', metatype: SubmitExecutionDto };

/**
 * What a host platform uses to drive the queue from its own code: the operations of the REST
 * API, with typed inputs and outputs (the API's shapes) and typed errors (ExecutionQueueError)
 * instead of HTTP statuses. It goes through the same services as the API: a submission becomes
 * an `execution_requested` event on the transport, so it gets the same delivery guarantees,
 * duplicate detection and limits as one that arrives from anywhere else.
 */
@Injectable()
export class ExecutionQueue {
  private readonly validation = createValidationPipe();

  constructor(
    private readonly submissions: ExecutionSubmissionService,
    private readonly admin: QueueAdminService,
  ) {}

  /**
   * Submits an execution and returns its id (the one given, or a new UUID). Resolves once the
   * transport took the request; the queue's answer follows as `execution_accepted` or a refusal.
   */
  async submit(submission: ExecutionSubmission): Promise<string> {
    return translateErrors(async () => {
      const dto = (await this.validation.transform(submission, SUBMISSION_METADATA)) as SubmitExecutionDto;
      return this.submissions.submit(dto);
    });
  }

  /** Asks for an execution to be cancelled (removed if pending, its pod stopped if active). */
  cancel(executionId: string): Promise<CancellationRequestedDto> {
    return translateErrors(() => this.admin.cancel(executionId), executionId);
  }

  /** Moves a pending execution to another priority; returns its new position. */
  reprioritize(executionId: string, priority: Priority): Promise<ReprioritizedDto> {
    return translateErrors(() => this.admin.reprioritize(executionId, priority), executionId);
  }

  /** Stops dispatching (what runs keeps running; submissions are still queued). */
  hold(): Promise<QueueStatusDto> {
    return translateErrors(() => this.admin.hold());
  }

  resume(): Promise<QueueStatusDto> {
    return translateErrors(() => this.admin.resume());
  }

  status(): Promise<QueueStatusDto> {
    return translateErrors(() => this.admin.status());
  }

  /** A pending or active execution: its state, position, priorities and estimated start. */
  lookup(executionId: string): Promise<ExecutionDetailDto> {
    return translateErrors(() => this.admin.execution(executionId), executionId);
  }

  pending(filter: PendingFilter = {}, offset = 0, limit = 50): Promise<PendingPageDto> {
    return translateErrors(() => this.admin.pending(filter, offset, limit));
  }

  active(offset = 0, limit = 50): Promise<ActivePageDto> {
    return translateErrors(() => this.admin.active(offset, limit));
  }

  users(offset = 0, limit = 50): Promise<UsersPageDto> {
    return translateErrors(() => this.admin.users(offset, limit));
  }

  user(userId: string): Promise<UserDetailDto> {
    return translateErrors(() => this.admin.user(userId));
  }

  /** Sets a user's weight under fair order (1–100). */
  async setUserWeight(userId: string, weight: number): Promise<UserWeightDto> {
    if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
      throw new InvalidSubmissionError([{ field: 'weight', problems: [`weight must be an integer from 1 to 100, got ${String(weight)}`] }]);
    }
    return translateErrors(() => this.admin.setUserWeight(userId, weight));
  }
}

/** The admin services speak HTTP exceptions and the stores transient errors; a host gets the typed errors. */
async function translateErrors<T>(action: () => Promise<T>, executionId?: string): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof FieldValidationException) throw new InvalidSubmissionError(error.fields);
    if (error instanceof SubmissionUnavailableException) throw new SubmissionUnavailableError(error.executionId, error.retryAfterSeconds, error.message);
    if (error instanceof NotFoundException && executionId !== undefined) throw new ExecutionNotFoundError(executionId);
    if (error instanceof ConflictException && executionId !== undefined) throw new ExecutionNotPendingError(executionId, error.message);
    if (isTransient(error)) throw new QueueUnavailableError((error as Error).message, { cause: error });
    throw error;
  }
}
