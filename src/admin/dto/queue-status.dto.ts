import { ApiProperty } from '@nestjs/swagger';

export class PriorityCountsDto {
  @ApiProperty({ example: 0 }) critical!: number;
  @ApiProperty({ example: 2 }) high!: number;
  @ApiProperty({ example: 40 }) normal!: number;
  @ApiProperty({ example: 5 }) low!: number;
  @ApiProperty({ example: 0 }) background!: number;
}

/** Answer of `GET /api/v1/admin/queue`. */
export class QueueStatusDto {
  @ApiProperty({ description: 'Pending executions', example: 47 }) queue_depth!: number;
  @ApiProperty({ description: 'Dispatched, not yet finished', example: 10 }) active_count!: number;
  @ApiProperty({ example: 10 }) max_active_executions!: number;
  @ApiProperty({ example: 10000 }) max_queue_size!: number;
  @ApiProperty({ example: 100 }) max_executions_per_user!: number;
  @ApiProperty({ example: 3600 }) stale_timeout_seconds!: number;
  @ApiProperty({ description: 'True while dispatching is held', example: false }) held!: boolean;
  @ApiProperty({ type: PriorityCountsDto }) by_priority!: PriorityCountsDto;
  @ApiProperty({ description: 'Age of the longest-waiting pending execution; null when none', nullable: true, type: Number, example: 12.5 })
  oldest_pending_age_seconds!: number | null;
}
