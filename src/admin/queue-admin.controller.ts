import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { Clock } from '../coordinator/domain/clock.js';
import { ExecutionCoordinator } from '../coordinator/execution-coordinator.service.js';
import { CLOCK } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import { ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { QueueStatusDto } from './dto/queue-status.dto.js';

@ApiTags('admin')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@Controller('api/v1/admin/queue')
export class QueueAdminController {
  constructor(
    private readonly coordinator: ExecutionCoordinator,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Queue status: depth by priority, active executions, limits, hold state' })
  @ApiOkResponse({ type: QueueStatusDto })
  async status(): Promise<QueueStatusDto> {
    const snapshot = await this.coordinator.status();
    const { queue } = this.options;
    return {
      queue_depth: snapshot.pendingCount,
      active_count: snapshot.activeCount,
      max_active_executions: queue.maxActiveExecutions,
      max_queue_size: queue.maxQueueSize,
      max_executions_per_user: queue.maxExecutionsPerUser,
      stale_timeout_seconds: queue.staleTimeoutSeconds,
      held: snapshot.held,
      by_priority: snapshot.byPriority,
      oldest_pending_age_seconds:
        snapshot.oldestEnqueuedAt === null ? null : Math.max(0, (this.clock.now() - snapshot.oldestEnqueuedAt) / 1000),
    };
  }
}
