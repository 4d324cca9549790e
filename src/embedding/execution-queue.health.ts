import { Inject, Injectable } from '@nestjs/common';
import { checkDependencies } from '../admin/health/check-dependencies.js';
import { HEALTH_INDICATORS } from '../execution-queue.constants.js';
import type { HealthIndicator, HealthResult } from '../ports/health-indicator.port.js';

/** A health indicator's answer in the shape @nestjs/terminus reads: `{ [key]: { status, ...details } }`. */
export type ExecutionQueueHealthResult<Key extends string = string> = Record<Key, HealthResult>;

/**
 * The queue's readiness for a host's own health check, as terminus-style indicators (no
 * dependency on @nestjs/terminus: HealthCheckService takes any function that returns this
 * shape and counts a `down` status as failed):
 *
 *   this.health.check([() => this.queueHealth.isHealthy('execution_queue')])
 */
@Injectable()
export class ExecutionQueueHealth {
  constructor(@Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[]) {}

  /** One key for the whole queue: up when every dependency it uses answers, each one's answer inside. */
  async isHealthy<Key extends string = 'execution_queue'>(key: Key = 'execution_queue' as Key): Promise<ExecutionQueueHealthResult<Key>> {
    const dependencies = await checkDependencies(this.indicators);
    const up = Object.values(dependencies).every((result) => result.status === 'up');
    return { [key]: { status: up ? 'up' : 'down', ...dependencies } } as ExecutionQueueHealthResult<Key>;
  }

  /** Each dependency under its own key (`queue_state_store`, `kafka` or `transport`, `kubernetes_api`), for hosts that list them apart. */
  dependencies(): Promise<ExecutionQueueHealthResult> {
    return checkDependencies(this.indicators);
  }
}
