import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ExecutionQueueHealth } from 'execution-queue';
import { register } from 'prom-client';

/** The platform's own /health (terminus) and /metrics (prom-client), with the queue inside both. */
@Controller()
export class OperationsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly queueHealth: ExecutionQueueHealth,
  ) {}

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => ({ platform: { status: 'up' } }), () => this.queueHealth.isHealthy('execution_queue')]);
  }

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
