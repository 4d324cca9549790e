import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PRIORITIES, type Priority } from '../../contracts/priority.constants.js';
import { IsExecutionId, IsShortString } from '../../contracts/validation.decorators.js';

/** Largest page any listing returns. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset: number = 0;
}

export class PendingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PRIORITIES, description: 'Only executions of this priority' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ description: 'Only executions of this user', example: 'user-42' })
  @IsOptional()
  @IsShortString()
  user_id?: string;
}

export class ExecutionIdParamDto {
  @ApiProperty({ description: 'Execution id', example: '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11' })
  @IsExecutionId()
  id!: string;
}

export class UserIdParamDto {
  @ApiProperty({ example: 'user-42' })
  @IsShortString()
  user_id!: string;
}

export class ReprioritizeDto {
  @ApiProperty({ enum: PRIORITIES, example: 'high' })
  @IsIn(PRIORITIES)
  priority!: Priority;
}
