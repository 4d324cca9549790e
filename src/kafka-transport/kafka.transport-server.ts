import { Server, BaseRpcContext, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { WireCodec } from '../contracts/wire-codec.js';
import { consumerGroupOf } from './consumer-groups.constants.js';
import { deadLetterFor, type ConsumedMessage, type DeadLetterRecord } from './dead-letter.js';
import { createKafka, type KafkaClient } from './kafka-client.factory.js';
import { handleInbound, rememberedHandlers } from './inbound-message.js';
import { ensureTopics } from './kafka-topics.js';
import { currentOutbox, PublishOutbox, withOutbox } from './publish-outbox.js';
import type { TransportEventPublisher } from './transport-event.publisher.js';

/** Context handed to handlers alongside the decoded event. */
export class KafkaMessageContext extends BaseRpcContext<[ConsumedMessage, string]> {
  getMessage(): ConsumedMessage {
    return this.args[0];
  }
  getConsumerGroup(): string {
    return this.args[1];
  }
}

/** How many partitions one consumer works on at once; events of one execution share a partition. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 3;
/**
 * Most messages of one partition in hand at once: enough for their state-store round trips to
 * overlap (Redis then runs the calls back to back), few enough that a retry after a transient
 * failure repeats little.
 */
const HANDLED_AT_ONCE = 32;
/** Most messages handled before their events are sent and their offsets resolved. */
const FLUSH_EVERY = 100;

/**
 * Serves the module's `@EventPattern(eventType)` handlers from Kafka. One consumer per role
 * (consumer groups `execution-coordinator`, `k8s-worker`), each subscribed to its role's topics.
 *
 * Delivery: a message's offset is committed only after its handler has finished, so a crash
 * redelivers instead of losing; handlers are idempotent, so a redelivery changes nothing. A
 * message that fails validation, or whose handler fails for a reason of its own, goes to the
 * dead-letter topic and is committed. A transient failure (the broker away) is thrown back to
 * kafkajs, which retries the message with backoff and never skips it.
 */
export class KafkaTransportServer extends Server implements CustomTransportStrategy {
  private readonly consumers: Consumer[] = [];
  private readonly handlerFor = rememberedHandlers((eventType) => this.getHandlerByPattern(eventType));

  constructor(
    private readonly options: ExecutionQueueOptions['kafka'],
    private readonly codec: WireCodec,
    private readonly publisher: TransportEventPublisher,
    private readonly givenKafka?: KafkaClient,
    /** Told once the consumers run (the module then accepts submissions: TransportConsumption). */
    private readonly onListening: () => void = () => undefined,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      this.onListening();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    // Disconnecting waits for in-flight handlers and commits what they finished.
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.disconnect()));
  }

  on(): void {
    // Connection events are logged by kafkajs itself.
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }

  private async start(): Promise<void> {
    const kafka = createKafka(this.options, '-consumer', this.givenKafka);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, { prefix: this.options.topicPrefix, partitions: this.options.topicPartitions, replicationFactor: this.options.topicReplicationFactor });
    } finally {
      await admin.disconnect();
    }

    const patternsByGroup = new Map<string, string[]>();
    for (const pattern of this.messageHandlers.keys()) {
      const group = consumerGroupOf(pattern);
      patternsByGroup.set(group, [...(patternsByGroup.get(group) ?? []), pattern]);
    }
    for (const [group, patterns] of patternsByGroup) {
      const consumer = kafka.consumer({ groupId: `${this.options.topicPrefix}${group}`, allowAutoTopicCreation: false, retry: { retries: 20, maxRetryTime: 10_000 } });
      await consumer.connect();
      await consumer.subscribe({ topics: patterns.map((pattern) => this.codec.topicOf(pattern)), fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatch(group, payload),
      });
      this.consumers.push(consumer);
      this.logger.log(`Consumer group ${group} consuming ${patterns.join(', ')}`);
    }
  }

  /**
   * Handles a batch of one partition. Up to HANDLED_AT_ONCE messages are in hand at a time,
   * started in order, so that their state-store calls travel together instead of one round trip
   * after another; a message whose execution already has one in hand waits for it, so one
   * execution's events keep their order. Offsets are resolved in order, each once its message
   * and all before it are handled.
   *
   * What the handlers publish is collected and sent in one request every FLUSH_EVERY messages
   * and at the end; only then are those messages' offsets resolved, so a commit never runs ahead
   * of a publish. A transient failure first lets the messages in hand finish, sends and resolves
   * what was handled before the failed one, then rethrows so kafkajs retries from there (the
   * ones after it that did finish are handled again: handlers are idempotent).
   */
  private async handleBatch(group: string, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const outbox = new PublishOutbox();
    const inHand: { offset: string; key: string | null; done: Promise<void> }[] = [];
    let handledUpTo: string | undefined;
    let sinceFlush = 0;
    const flush = async () => {
      const { messages, afterSent } = outbox.take();
      await this.publisher.flush(messages);
      // At once: each is a state-store call, and one after another they were a round trip each.
      await Promise.all(afterSent.map((task) => task()));
      if (handledUpTo !== undefined) resolveOffset(handledUpTo);
      await heartbeat();
    };
    const finishOldest = async () => {
      const oldest = inHand.shift()!;
      await oldest.done;
      handledUpTo = oldest.offset;
      if (++sinceFlush >= FLUSH_EVERY) {
        await flush();
        sinceFlush = 0;
      }
    };
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const key = message.key?.toString('utf8') ?? null;
        if (key !== null && inHand.some((entry) => entry.key === key)) while (inHand.length > 0) await finishOldest();
        while (inHand.length >= HANDLED_AT_ONCE) await finishOldest();
        const done = withOutbox(outbox, () => this.handle(group, batch.topic, batch.partition, message, key));
        // Awaited in order by finishOldest; until then a failure must not count as unhandled.
        done.catch(() => undefined);
        inHand.push({ offset: message.offset, key, done });
      }
      while (inHand.length > 0) await finishOldest();
    } finally {
      await Promise.allSettled(inHand.map((entry) => entry.done));
      outbox.close();
      await flush();
    }
  }

  private handle(group: string, topic: string, partition: number, message: KafkaMessage, key: string | null): Promise<void> {
    const consumed: ConsumedMessage = {
      topic,
      partition,
      offset: message.offset,
      key,
      value: message.value,
      headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
    };
    return handleInbound(
      {
        codec: this.codec,
        logger: this.logger,
        handlerFor: this.handlerFor,
        contextFor: (delivered) => new KafkaMessageContext([delivered, group]),
        deadLetter: (delivered, reason, errors) => this.deadLetter(delivered, reason, errors, group),
      },
      consumed,
    );
  }

  /** Dead letters go through the batch's outbox, so they are sent before the offset is committed. */
  private async deadLetter(message: ConsumedMessage, reason: DeadLetterRecord['reason'], errors: string[], group: string): Promise<void> {
    const record = deadLetterFor(message, reason, errors, group, this.options.topicPrefix, new Date());
    const outbox = currentOutbox();
    if (outbox) outbox.add([record]);
    else await this.publisher.flush([record]);
  }
}
