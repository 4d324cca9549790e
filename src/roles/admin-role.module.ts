import { Inject, Module } from '@nestjs/common';
import { AdminTokenRegistry } from '../admin/auth/admin-token.registry.js';
import { BearerTokenGuard } from '../admin/auth/bearer-token.guard.js';
import type { QueueMetrics } from '../admin/metrics/queue-metrics.js';
import { AdminStreamService } from '../admin/stream/admin-stream.service.js';
import { ExecutionStreamService } from '../admin/stream/execution-stream.service.js';
import { SseConnections } from '../admin/stream/sse-connections.js';
import { COORDINATOR_OBSERVER } from '../execution-queue.constants.js';
import { QueueModule } from './queue.module.js';

/** The `admin` role: the queue's services plus what the REST API and the live streams need. */
@Module({
  imports: [QueueModule],
  providers: [AdminTokenRegistry, BearerTokenGuard, SseConnections, AdminStreamService, ExecutionStreamService],
  exports: [QueueModule, AdminTokenRegistry, BearerTokenGuard, SseConnections, AdminStreamService, ExecutionStreamService],
})
export class AdminRoleModule {
  constructor(@Inject(COORDINATOR_OBSERVER) metrics: QueueMetrics, streams: SseConnections) {
    metrics.watchStreams(streams);
  }
}
