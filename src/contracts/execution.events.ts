import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { BaseEvent } from './base.event.js';
import { ERROR_TYPES, type ErrorType } from './error-type.constants.js';
import { type EventType } from './event-type.constants.js';
import { ExecutionRequestFields } from './execution-request.fields.js';
import { PRIORITIES, type Priority } from './priority.constants.js';
import { ResourceUsage } from './resource-usage.js';
import { IsExecutionId, IsShortString, Nullable } from './validation.decorators.js';
import { MAX_OUTPUT_LENGTH, MAX_TEXT_LENGTH, MAX_TIMEOUT_SECONDS } from './wire-limits.constants.js';

/** A user asked for a script to run. */
export class ExecutionRequestedEvent extends ExecutionRequestFields {
  declare event_type: typeof EventType.ExecutionRequested;
}

/** The coordinator queued an execution. */
export class ExecutionAcceptedEvent extends BaseEvent {
  declare event_type: typeof EventType.ExecutionAccepted;

  @IsExecutionId()
  execution_id!: string;

  /** 0 means next to run. */
  @IsInt()
  @Min(0)
  queue_position!: number;

  @Nullable()
  @IsNumber()
  @Min(0)
  estimated_wait_seconds!: number | null;

  @IsIn(PRIORITIES)
  priority!: Priority;
}

/** Fields shared by every terminal report from the runtime. */
abstract class ExecutionOutcomeFields extends BaseEvent {
  @IsExecutionId()
  execution_id!: string;

  @Nullable()
  @IsObject()
  @ValidateNested()
  @Type(() => ResourceUsage)
  resource_usage!: ResourceUsage | null;

  @IsString()
  @MaxLength(MAX_OUTPUT_LENGTH)
  stdout!: string;

  @IsString()
  @MaxLength(MAX_OUTPUT_LENGTH)
  stderr!: string;
}

export class ExecutionCompletedEvent extends ExecutionOutcomeFields {
  declare event_type: typeof EventType.ExecutionCompleted;

  @IsInt()
  exit_code!: number;
}

export class ExecutionFailedEvent extends ExecutionOutcomeFields {
  declare event_type: typeof EventType.ExecutionFailed;

  @IsInt()
  exit_code!: number;

  @IsIn(ERROR_TYPES)
  error_type!: ErrorType;

  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  error_message!: string;
}

export class ExecutionTimeoutEvent extends ExecutionOutcomeFields {
  declare event_type: typeof EventType.ExecutionTimeout;

  @IsInt()
  @Min(0)
  @Max(MAX_TIMEOUT_SECONDS)
  timeout_seconds!: number;
}

export class ExecutionCancelledEvent extends BaseEvent {
  declare event_type: typeof EventType.ExecutionCancelled;

  @IsExecutionId()
  execution_id!: string;

  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  reason!: string;

  @Nullable()
  @IsShortString()
  cancelled_by!: string | null;

  @IsBoolean()
  force_terminated!: boolean;
}
