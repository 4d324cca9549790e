import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PRIORITIES, type Priority } from '../../contracts/priority.constants.js';
import { IsExecutionId, IsShortString } from '../../contracts/validation.decorators.js';
import {
  MAX_RUNTIME_COMMAND_PARTS,
  MAX_SCRIPT_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TIMEOUT_SECONDS,
} from '../../contracts/wire-limits.constants.js';

/** Body of `POST /api/v1/executions`: the fields of `execution_requested`, most of them optional. */
export class SubmitExecutionDto {
  @ApiPropertyOptional({ description: 'Lower-case DNS label; generated (UUID) when absent', example: '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11' })
  @IsOptional()
  @IsExecutionId()
  execution_id?: string;

  @ApiProperty({ description: 'Owner of the execution; per-user limits apply to it', example: 'user-42' })
  @IsShortString()
  user_id!: string;

  @ApiProperty({ description: `Source code to run, at most ${MAX_SCRIPT_LENGTH} characters`, example: 'print("hello")' })
  @IsString()
  @MaxLength(MAX_SCRIPT_LENGTH)
  script!: string;

  @ApiProperty({ example: 'python' })
  @IsShortString()
  language!: string;

  @ApiProperty({ example: '3.11' })
  @IsShortString()
  language_version!: string;

  @ApiPropertyOptional({ description: 'Container image; derived from the language when absent', example: 'python:3.11-slim' })
  @IsOptional()
  @IsShortString(512)
  runtime_image?: string;

  @ApiPropertyOptional({ type: [String], example: ['python', '/scripts/main.py'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_RUNTIME_COMMAND_PARTS)
  @IsString({ each: true })
  @MaxLength(MAX_TEXT_LENGTH, { each: true })
  runtime_command?: string[];

  @ApiPropertyOptional({ example: 'main.py' })
  @IsOptional()
  @IsShortString(255)
  runtime_filename?: string;

  @ApiPropertyOptional({ default: 300, minimum: 1, maximum: MAX_TIMEOUT_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeout_seconds?: number;

  @ApiPropertyOptional({ description: 'Kubernetes quantity; empty means the worker default', example: '500m' })
  @IsOptional()
  @IsShortString(32)
  cpu_limit?: string;

  @ApiPropertyOptional({ example: '256Mi' })
  @IsOptional()
  @IsShortString(32)
  memory_limit?: string;

  @ApiPropertyOptional({ example: '100m' })
  @IsOptional()
  @IsShortString(32)
  cpu_request?: string;

  @ApiPropertyOptional({ example: '128Mi' })
  @IsOptional()
  @IsShortString(32)
  memory_request?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;
}

export class SubmitExecutionResponseDto {
  @ApiProperty({ example: '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11' })
  execution_id!: string;
}
