import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_USER_WEIGHT, MIN_USER_WEIGHT } from '../../contracts/queue-order.constants.js';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, MinLength } from 'class-validator';
import { PRIORITIES, type Priority } from '../../contracts/priority.constants.js';
import { IsExecutionId, IsShortString } from '../../contracts/validation.decorators.js';
import { EXECUTION_ID_PATTERN, MAX_ID_LENGTH } from '../../contracts/wire-limits.constants.js';

/** Largest page any listing returns. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;
/** Largest offset accepted (far beyond any queue; keeps the number an exact integer). */
export const MAX_OFFSET = 1_000_000_000;

/**
 * A query integer as written in decimal digits; anything else (empty, `1e2`, `0x10`, repeated)
 * becomes NaN, which the integer rule then refuses, instead of Number()'s lenient reading.
 */
function queryInteger({ value }: TransformFnParams): unknown {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Transform(queryInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Transform(queryInteger)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset: number = 0;
}

export class PendingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PRIORITIES, description: 'Only executions of this priority' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ description: 'Only executions of this user', maxLength: MAX_ID_LENGTH, example: 'user-42' })
  @IsOptional()
  @IsShortString()
  user_id?: string;
}

export class ExecutionIdParamDto {
  @ApiProperty({ description: 'Execution id', pattern: EXECUTION_ID_PATTERN.source, example: '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11' })
  @IsExecutionId()
  id!: string;
}

export class UserIdParamDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_ID_LENGTH, example: 'user-42' })
  @IsShortString()
  @MinLength(1)
  user_id!: string;
}

export class ReprioritizeDto {
  @ApiProperty({ enum: PRIORITIES, example: 'high' })
  @IsIn(PRIORITIES)
  priority!: Priority;
}

export class SetUserWeightDto {
  @ApiProperty({
    type: 'integer',
    minimum: MIN_USER_WEIGHT,
    maximum: MAX_USER_WEIGHT,
    example: 4,
    description: 'Share of turns under QUEUE_ORDER=fair, relative to other users (default QUEUE_DEFAULT_USER_WEIGHT)',
  })
  @IsInt()
  @Min(MIN_USER_WEIGHT)
  @Max(MAX_USER_WEIGHT)
  weight!: number;
}
