import kafkajs, { type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';

const { Kafka, logLevel } = kafkajs;

export type KafkaClient = InstanceType<typeof Kafka>;

/**
 * A kafkajs client for the configured brokers, with TLS and SASL passed through; or the host's
 * own client when it gave one (its producers, consumers and admins are still the module's, and
 * the module closes those, never the host's client or its other connections).
 */
export function createKafka(options: ExecutionQueueOptions['kafka'], clientIdSuffix = '', given?: KafkaClient): KafkaClient {
  if (given) return given;
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
