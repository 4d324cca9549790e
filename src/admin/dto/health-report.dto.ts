import { ApiProperty } from '@nestjs/swagger';

/** Terminus-style health report. */
export class HealthReportDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' }) status!: 'ok' | 'error';
  @ApiProperty({ description: 'Dependencies that are up', example: { queue_state_store: { status: 'up', store: 'memory' } } })
  info!: Record<string, unknown>;
  @ApiProperty({ description: 'Dependencies that are down', example: {} }) error!: Record<string, unknown>;
  @ApiProperty({ description: 'Every dependency checked', example: { queue_state_store: { status: 'up', store: 'memory' } } })
  details!: Record<string, unknown>;
}
