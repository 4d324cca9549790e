import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Producer } from 'kafkajs';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { createKafka, type KafkaClient } from './kafka-client.factory.js';
import type { OutboundMessage } from './in-memory.client-proxy.js';
import type { WireMessage } from '../contracts/wire-codec.js';
import type { BatchCapableClient } from './transport-event.publisher.js';

/**
 * Nest client that produces events to Kafka: topic = pattern, key = execution id, JSON value,
 * `content-type` header. Every send waits for all in-sync replicas (acks -1), and a send for one
 * key is awaited before the next, so events about one execution keep their order.
 */
export class KafkaClientProxy extends ClientProxy implements OnApplicationShutdown, BatchCapableClient {
  private readonly logger = new Logger(KafkaClientProxy.name);
  private readonly producer: Producer;
  private connecting?: Promise<void>;

  constructor(options: ExecutionQueueOptions['kafka'], given?: KafkaClient) {
    super();
    this.producer = createKafka(options, '-producer', given).producer({ allowAutoTopicCreation: false, retry: { retries: 10, maxRetryTime: 10_000 } });
  }

  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: Error) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    if (!this.connecting) return;
    await this.producer.disconnect();
    this.connecting = undefined;
    this.logger.log('Kafka producer flushed and closed');
  }

  /** Runs after the consumers have stopped, so in-flight handlers could still publish. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  unwrap<T>(): T {
    return this.producer as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('The Kafka transport carries events only'), isDisposed: true });
    return () => undefined;
  }

  /** Sends messages for several topics in one produce request; order is kept within each topic. */
  async dispatchBatch(messages: WireMessage[]): Promise<void> {
    await this.connect();
    const byTopic = new Map<string, { key: string | null; value: Buffer; headers: Record<string, string> }[]>();
    for (const { topic, key, value, headers } of messages) {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value, headers }]);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, batch]) => ({ topic, messages: batch })) });
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket<OutboundMessage>): Promise<T> {
    await this.dispatchBatch([{ topic: packet.pattern as string, ...packet.data }]);
    return undefined as T;
  }

}
