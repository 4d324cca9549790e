import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ModuleHttp } from '../module-http.decorator.js';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { COORDINATOR_OBSERVER } from '../../execution-queue.constants.js';
import { QueueMetrics } from './queue-metrics.js';

@ApiTags('operations')
@ModuleHttp()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(COORDINATOR_OBSERVER) private readonly metrics: QueueMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: queue depth by priority, active, decision counters, wait-time histogram' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string', example: 'execution_queue_active 3\n' } })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
