import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PRIORITIES, type Priority } from '../../contracts/priority.constants.js';
import { IsExecutionId, IsShortString, OmittableNotNull } from '../../contracts/validation.decorators.js';
import {
  EXECUTION_ID_PATTERN,
  MAX_ID_LENGTH,
  MAX_RUNTIME_COMMAND_PARTS,
  MAX_SCRIPT_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TIMEOUT_SECONDS,
} from '../../contracts/wire-limits.constants.js';
import { LANGUAGE_RUNTIMES } from '../../contracts/language-runtimes.js';

/** Body of `POST /api/v1/executions`: the fields of `execution_requested`, most of them optional. */
export class SubmitExecutionDto {
  @ApiPropertyOptional({ description: 'Lower-case DNS label; generated (UUID) when absent', pattern: EXECUTION_ID_PATTERN.source, example: '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11' })
  @OmittableNotNull()
  @IsExecutionId()
  execution_id?: string;

  @ApiProperty({ description: 'Owner of the execution; per-user limits apply to it', maxLength: MAX_ID_LENGTH, example: 'user-42' })
  @IsShortString()
  user_id!: string;

  @ApiProperty({ description: `Source code to run, at most ${MAX_SCRIPT_LENGTH} characters`, maxLength: MAX_SCRIPT_LENGTH, example: 'print("hello")' })
  @IsString()
  @MaxLength(MAX_SCRIPT_LENGTH)
  script!: string;

  @ApiProperty({
    description: `Known languages (${Object.keys(LANGUAGE_RUNTIMES).join(', ')}) bring their runtime; any other needs runtime_image, runtime_command and runtime_filename`,
    maxLength: MAX_ID_LENGTH,
    example: 'python',
  })
  @IsShortString()
  language!: string;

  @ApiProperty({ maxLength: MAX_ID_LENGTH, example: '3.11' })
  @IsShortString()
  language_version!: string;

  @ApiPropertyOptional({ description: 'Container image; derived from the language when absent', minLength: 1, maxLength: 512, example: 'python:3.11-slim' })
  @OmittableNotNull()
  @IsShortString(512)
  @MinLength(1)
  runtime_image?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', maxLength: MAX_TEXT_LENGTH }, minItems: 1, maxItems: MAX_RUNTIME_COMMAND_PARTS, example: ['python', '/scripts/main.py'] })
  @OmittableNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RUNTIME_COMMAND_PARTS)
  @IsString({ each: true })
  @MaxLength(MAX_TEXT_LENGTH, { each: true })
  runtime_command?: string[];

  @ApiPropertyOptional({ minLength: 1, maxLength: 255, example: 'main.py' })
  @OmittableNotNull()
  @IsShortString(255)
  @MinLength(1)
  runtime_filename?: string;

  @ApiPropertyOptional({ type: 'integer', default: 300, minimum: 1, maximum: MAX_TIMEOUT_SECONDS })
  @OmittableNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeout_seconds?: number;

  @ApiPropertyOptional({ description: 'Kubernetes quantity; empty means the worker default', maxLength: 32, example: '500m' })
  @OmittableNotNull()
  @IsShortString(32)
  cpu_limit?: string;

  @ApiPropertyOptional({ maxLength: 32, example: '256Mi' })
  @OmittableNotNull()
  @IsShortString(32)
  memory_limit?: string;

  @ApiPropertyOptional({ maxLength: 32, example: '100m' })
  @OmittableNotNull()
  @IsShortString(32)
  cpu_request?: string;

  @ApiPropertyOptional({ maxLength: 32, example: '128Mi' })
  @OmittableNotNull()
  @IsShortString(32)
  memory_request?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @OmittableNotNull()
  @IsIn(PRIORITIES)
  priority?: Priority;
}

export class SubmitExecutionResponseDto {
  @ApiProperty({ example: '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11' })
  execution_id!: string;
}
