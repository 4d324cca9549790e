import { Inject, Module } from '@nestjs/common';
import type { QueueMetrics } from '../admin/metrics/queue-metrics.js';
import { AdminStreamService } from '../admin/stream/admin-stream.service.js';
import { ExecutionStreamService } from '../admin/stream/execution-stream.service.js';
import { SseConnections } from '../admin/stream/sse-connections.js';
import { COORDINATOR_OBSERVER } from '../execution-queue.constants.js';
import { QueueModule } from './queue.module.js';

/**
 * The `admin` role: the queue's services plus the live streams. Its tokens are the root
 * module's, and only where the API's routes are mounted (a host without them has no token to log).
 */
@Module({
  imports: [QueueModule],
  providers: [SseConnections, AdminStreamService, ExecutionStreamService],
  exports: [QueueModule, SseConnections, AdminStreamService, ExecutionStreamService],
})
export class AdminRoleModule {
  constructor(@Inject(COORDINATOR_OBSERVER) metrics: QueueMetrics, streams: SseConnections) {
    metrics.watchStreams(streams);
  }
}
