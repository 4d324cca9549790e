import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HEALTH_INDICATORS } from '../../execution-queue.constants.js';
import type { HealthIndicator } from '../../ports/health-indicator.port.js';

/** Closes the connections health indicators keep open (the Kafka admin client, for one). */
@Injectable()
export class HealthIndicatorsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[]) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.indicators.map((indicator) => indicator.close?.()));
  }
}
