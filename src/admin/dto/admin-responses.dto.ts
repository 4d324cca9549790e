import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PRIORITIES, type Priority } from '../../contracts/priority.constants.js';

const EXAMPLE_ID = '3f0c9a52-5d1e-4c55-9d43-0f8e2b8f6a11';
const EXAMPLE_TIME = '2026-11-26T13:25:59.225Z';
const ESTIMATE_DESCRIPTION =
  'When it is expected to start if nothing else arrives, from recent run times, the runs in progress and its position; null until the service has seen a few runs finish';

export class UserUsageDto {
  @ApiProperty({ example: 'user-42' }) user_id!: string;
  @ApiProperty({ example: 3 }) pending!: number;
  @ApiProperty({ example: 2 }) active!: number;
  @ApiProperty({ example: 5 }) total!: number;
  @ApiProperty({ description: 'Share of turns under QUEUE_ORDER=fair: the one set, or QUEUE_DEFAULT_USER_WEIGHT', example: 1 }) weight!: number;
}

export class UserWeightDto {
  @ApiProperty({ example: 'user-42' }) user_id!: string;
  @ApiProperty({ description: 'Applies to the turns this user is given from now on', example: 4 }) weight!: number;
}

export class UsersPageDto {
  @ApiProperty({ type: [UserUsageDto], description: 'Largest total first' }) items!: UserUsageDto[];
  @ApiProperty({ description: 'Users with pending or active executions', example: 1 }) total!: number;
}

export class UserDetailDto extends UserUsageDto {
  @ApiProperty({ description: 'max_executions_per_user', example: 100 }) limit!: number;
}

export class ActiveExecutionDto {
  @ApiProperty({ example: EXAMPLE_ID }) execution_id!: string;
  @ApiProperty({ example: 'user-42' }) user_id!: string;
  @ApiProperty({ enum: PRIORITIES, example: 'normal' }) priority!: Priority;
  @ApiProperty({ example: EXAMPLE_TIME }) dispatched_at!: string;
}

export class ActivePageDto {
  @ApiProperty({ type: [ActiveExecutionDto], description: 'In dispatch order' }) items!: ActiveExecutionDto[];
  @ApiProperty({ example: 1 }) total!: number;
}

export class PendingExecutionDto {
  @ApiProperty({ example: EXAMPLE_ID }) execution_id!: string;
  @ApiProperty({ example: 'user-42' }) user_id!: string;
  @ApiProperty({ enum: PRIORITIES, example: 'normal' }) priority!: Priority;
  @ApiProperty({ description: '0-based position in dispatch order across the whole queue', example: 0 }) position!: number;
  @ApiProperty({ enum: PRIORITIES, description: 'The level it waits in: its priority, or higher once aging lifted it', example: 'normal' })
  effective_priority!: Priority;
  @ApiProperty({ example: EXAMPLE_TIME }) enqueued_at!: string;
  @ApiProperty({ example: 4.2 }) age_seconds!: number;
  @ApiProperty({ nullable: true, type: String, description: ESTIMATE_DESCRIPTION, example: EXAMPLE_TIME }) estimated_start_at!: string | null;
}

export class PendingPageDto {
  @ApiProperty({ type: [PendingExecutionDto], description: 'In queue order' }) items!: PendingExecutionDto[];
  @ApiProperty({ description: 'Pending executions matching the filters', example: 1 }) total!: number;
}

export class ExecutionDetailDto {
  @ApiProperty({ example: EXAMPLE_ID }) execution_id!: string;
  @ApiProperty({ enum: ['pending', 'active'], example: 'pending' }) state!: 'pending' | 'active';
  @ApiProperty({ example: 'user-42' }) user_id!: string;
  @ApiProperty({ enum: PRIORITIES, example: 'normal' }) priority!: Priority;
  @ApiPropertyOptional({ description: 'Pending only: 0-based position in dispatch order', example: 3 }) position?: number;
  @ApiPropertyOptional({ enum: PRIORITIES, description: 'Pending only: the level it waits in (its priority, or higher once aging lifted it)', example: 'normal' })
  effective_priority?: Priority;
  @ApiPropertyOptional({ nullable: true, type: String, description: `Pending only: ${ESTIMATE_DESCRIPTION}`, example: EXAMPLE_TIME })
  estimated_start_at?: string | null;
  @ApiProperty({ example: EXAMPLE_TIME }) enqueued_at!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) dispatched_at!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why a pending execution has not run yet; null once active',
    example: 'All 10 execution slots are busy (QUEUE_MAX_ACTIVE); 3 executions are ahead of it',
  })
  waiting_reason!: string | null;
}

export class ReprioritizedDto {
  @ApiProperty({ example: EXAMPLE_ID }) execution_id!: string;
  @ApiProperty({ enum: PRIORITIES, example: 'high' }) priority!: Priority;
  @ApiProperty({ description: 'New 0-based position in dispatch order', example: 0 }) position!: number;
}

export class CancellationRequestedDto {
  @ApiProperty({ example: EXAMPLE_ID }) execution_id!: string;
  @ApiProperty({ enum: ['pending', 'active'], description: 'State when the cancellation was requested', example: 'active' })
  state!: 'pending' | 'active';
}
