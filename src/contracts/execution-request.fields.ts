import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { BaseEvent } from './base.event.js';
import { PRIORITIES, type Priority } from './priority.constants.js';
import { IsExecutionId, IsShortString } from './validation.decorators.js';
import {

  MAX_RUNTIME_COMMAND_PARTS,
  MAX_SCRIPT_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TIMEOUT_SECONDS,
} from './wire-limits.constants.js';

/**
 * The fields of an execution request, shared by `execution_requested` and `create_pod_command`
 * (which copies them all so the worker needs nothing else).
 */
export abstract class ExecutionRequestFields extends BaseEvent {
  @IsExecutionId()
  execution_id!: string;

  @IsString()
  @MaxLength(MAX_SCRIPT_LENGTH)
  script!: string;

  @IsShortString()
  language!: string;

  @IsShortString()
  language_version!: string;

  @IsShortString(512)
  runtime_image!: string;

  @IsArray()
  @ArrayMaxSize(MAX_RUNTIME_COMMAND_PARTS)
  @IsString({ each: true })
  @MaxLength(MAX_TEXT_LENGTH, { each: true })
  runtime_command!: string[];

  @IsShortString(255)
  runtime_filename!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeout_seconds!: number;

  @IsShortString(32)
  cpu_limit!: string;

  @IsShortString(32)
  memory_limit!: string;

  @IsShortString(32)
  cpu_request!: string;

  @IsShortString(32)
  memory_request!: string;

  @IsIn(PRIORITIES)
  priority!: Priority;
}

export const EXECUTION_REQUEST_FIELD_NAMES = [
  'execution_id',
  'script',
  'language',
  'language_version',
  'runtime_image',
  'runtime_command',
  'runtime_filename',
  'timeout_seconds',
  'cpu_limit',
  'memory_limit',
  'cpu_request',
  'memory_request',
  'priority',
] as const satisfies readonly (keyof ExecutionRequestFields)[];

export type ExecutionRequestPayload = Pick<ExecutionRequestFields, (typeof EXECUTION_REQUEST_FIELD_NAMES)[number]>;

