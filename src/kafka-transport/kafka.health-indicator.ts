import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { HealthIndicator, HealthResult } from '../ports/health-indicator.port.js';
import { createKafka, type KafkaClient } from './kafka-client.factory.js';

/** Ready when the cluster answers a describe-cluster request. */
export class KafkaHealthIndicator implements HealthIndicator {
  readonly name = 'kafka';
  private readonly admin;
  private connected?: Promise<void>;

  constructor(options: ExecutionQueueOptions['kafka'], given?: KafkaClient) {
    this.admin = createKafka({ ...options }, '-health', given).admin({ retry: { retries: 0 } });
  }

  async check(): Promise<HealthResult> {
    try {
      this.connected ??= this.admin.connect();
      await this.connected;
      const cluster = await this.admin.describeCluster();
      return { status: 'up', brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (error) {
      this.connected = undefined;
      await this.admin.disconnect().catch(() => undefined);
      return { status: 'down', message: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
  }
}
