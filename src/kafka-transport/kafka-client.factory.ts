import kafkajs, { type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';

const { Kafka, logLevel } = kafkajs;

/** A kafkajs client for the configured brokers, with TLS and SASL passed through. */
export function createKafka(options: ExecutionQueueOptions['kafka'], clientIdSuffix = ''): InstanceType<typeof Kafka> {
  const config: KafkaConfig = {
    clientId: `${options.clientId}${clientIdSuffix}`,
    brokers: options.brokers,
    ssl: options.ssl || undefined,
    sasl: options.sasl ? ({ ...options.sasl } as SASLOptions) : undefined,
    logLevel: logLevel.WARN,
    // Reconnects go on for minutes, so a broker restart is ridden out rather than reported.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 20 },
    connectionTimeout: 3000,
  };
  return new Kafka(config);
}
