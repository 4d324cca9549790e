import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { BaseEvent } from './base.event.js';
import { type EventType } from './event-type.constants.js';
import { ExecutionRequestFields } from './execution-request.fields.js';
import { IsExecutionId, IsShortString, Nullable } from './validation.decorators.js';
import { MAX_TEXT_LENGTH } from './wire-limits.constants.js';

const MAX_K8S_NAME_LENGTH = 253;

/** Tells the worker to start a pod for an execution the coordinator dispatched. */
export class CreatePodCommand extends ExecutionRequestFields {
  declare event_type: typeof EventType.CreatePodCommand;

  @IsShortString()
  saga_id!: string;
}

/** Tells the worker to stop and remove an execution's pod. */
export class DeletePodCommand extends BaseEvent {
  declare event_type: typeof EventType.DeletePodCommand;

  @IsShortString()
  saga_id!: string;

  @IsExecutionId()
  execution_id!: string;

  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  reason!: string;

  @Nullable()
  @IsShortString(MAX_K8S_NAME_LENGTH)
  pod_name!: string | null;

  @Nullable()
  @IsShortString(63)
  namespace!: string | null;
}

export class PodCreatedEvent extends BaseEvent {
  declare event_type: typeof EventType.PodCreated;

  @IsExecutionId()
  execution_id!: string;

  @IsShortString(MAX_K8S_NAME_LENGTH)
  pod_name!: string;

  @IsShortString(63)
  namespace!: string;
}

export class PodScheduledEvent extends BaseEvent {
  declare event_type: typeof EventType.PodScheduled;

  @IsExecutionId()
  execution_id!: string;

  @IsShortString(MAX_K8S_NAME_LENGTH)
  pod_name!: string;

  @IsShortString(MAX_K8S_NAME_LENGTH)
  node_name!: string;
}

/** One container's status as reported with `pod_running`. */
export class ContainerStatusInfo {
  @IsShortString(MAX_K8S_NAME_LENGTH)
  name!: string;

  @IsBoolean()
  ready!: boolean;

  @IsInt()
  @Min(0)
  restart_count!: number;

  @IsShortString(MAX_TEXT_LENGTH)
  state!: string;
}

export class PodRunningEvent extends BaseEvent {
  declare event_type: typeof EventType.PodRunning;

  @IsExecutionId()
  execution_id!: string;

  @IsShortString(MAX_K8S_NAME_LENGTH)
  pod_name!: string;

  @IsArray()
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => ContainerStatusInfo)
  container_statuses!: ContainerStatusInfo[];
}
