import { configureHttpApp } from '../../src/admin/http-app.setup.js';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import kafkajs, { type Consumer, type Producer } from 'kafkajs';
import type { ExecutionQueueOptions } from '../../src/config/execution-queue.options.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnyEvent } from '../../src/contracts/event-registry.js';
import { DEAD_LETTER_TOPIC } from '../../src/contracts/event-type.constants.js';
import { WireCodec } from '../../src/contracts/wire-codec.js';
import { ExecutionQueueModule } from '../../src/execution-queue.module.js';
import { STANDALONE_HTTP } from '../../src/execution-queue.module-definition.js';
import { allTopics, ensureTopics } from '../../src/kafka-transport/kafka-topics.js';
import { createTransportStrategy } from '../../src/transport-strategy.factory.js';

const { Kafka, logLevel } = kafkajs;

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test`, which starts a broker');
  return brokers.split(',');
}

/** A topic prefix no other test uses, so each test has its own topics and consumer groups. */
export function uniquePrefix(): string {
  return `it-${randomUUID().slice(0, 8)}.`;
}

export interface RecordedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  json: Record<string, unknown>;
  event?: AnyEvent;
}

/**
 * A plain kafkajs producer and a consumer that records everything on a test's topics, as
 * another service on the platform would see it.
 */
export class KafkaProbe {
  readonly messages: RecordedMessage[] = [];
  private readonly kafka = new Kafka({ clientId: 'test-probe', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  private readonly producer: Producer = this.kafka.producer({ allowAutoTopicCreation: false });
  private consumer?: Consumer;
  private readonly codec: WireCodec;

  constructor(readonly prefix: string) {
    this.codec = new WireCodec(prefix);
  }

  /** Creates the test's topics (as the service would) so the probe can start before any service. */
  async createTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, { prefix: this.prefix, partitions: 3, replicationFactor: 1 });
    } finally {
      await admin.disconnect();
    }
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.consumer = this.kafka.consumer({ groupId: `${this.prefix}probe-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: allTopics(this.prefix), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const key = message.key?.toString('utf8') ?? null;
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(message.value?.toString('utf8') ?? 'null') ?? {};
        } catch {
          // Poison messages the tests produced themselves; they are recorded without JSON.
        }
        const decoded = this.codec.decode(topic, key, message.value);
        this.messages.push({
          topic: topic.slice(this.prefix.length),
          partition,
          offset: message.offset,
          key,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
          json,
          event: decoded.ok ? decoded.event : undefined,
        });
      },
    });
  }

  async send(eventType: string, key: string | null, value: Buffer | string | null, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<void> {
    await this.producer.send({ topic: `${this.prefix}${eventType}`, acks: -1, messages: [{ key, value, headers }] });
  }

  async sendEvent(event: Record<string, unknown>): Promise<void> {
    await this.send(String(event.event_type), String(event.execution_id), JSON.stringify(event));
  }

  /** Sends many events in one produce request each call. */
  async sendEvents(events: object[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const event of events as Record<string, unknown>[]) {
      const topic = `${this.prefix}${String(event.event_type)}`;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: String(event.execution_id), value: JSON.stringify(event), headers: { 'content-type': 'application/json' } }]);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  on(topic: string, executionId?: string): RecordedMessage[] {
    return this.messages.filter((message) => message.topic === topic && (executionId === undefined || message.key === executionId));
  }

  events<T extends AnyEvent['event_type']>(type: T): Extract<AnyEvent, { event_type: T }>[] {
    return this.on(type).flatMap((message) => (message.event ? [message.event as Extract<AnyEvent, { event_type: T }>] : []));
  }

  /**
   * The probe reads each topic on its own, so a completion can reach it before the command that
   * caused it. Waits (up to `timeoutMs`) until every completion seen has its command too.
   */
  async catchUpOnCommands(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const commanded = new Set(this.events('create_pod_command').map((command) => command.execution_id));
      if (this.events('execution_completed').every((event) => commanded.has(event.execution_id))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  deadLetters(): Record<string, unknown>[] {
    return this.on(DEAD_LETTER_TOPIC).map((message) => message.json);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer.disconnect();
  }

  /** Deletes this test's topics. */
  async cleanUp(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(this.prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  }
}

export interface KafkaService {
  app: INestApplication;
  options: ExecutionQueueOptions;
  /**
   * Stops consuming (committing what was handled), runs `meanwhile` while no consumer is in the
   * group, and starts fresh consumers on the same state.
   */
  restartConsumers(meanwhile?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The service with the Kafka transport, under the test's topic prefix; no HTTP listener (tests
 * that need the REST API pass `http` and call `app.getHttpServer()` through supertest).
 */
export async function startKafkaService(prefix: string, overrides: Partial<ExecutionQueueOptions> = {}, http = false): Promise<KafkaService> {
  const defaults = loadConfig({});
  const options: ExecutionQueueOptions = {
    ...defaults,
    transport: 'kafka',
    kafka: { ...defaults.kafka, brokers: kafkaBrokers(), topicPrefix: prefix, clientId: `it-${prefix}` },
    adminTokens: ['integration-token-0123456789'],
    simulatedRunMs: 50,
    environment: 'test',
    ...overrides,
  };
  const moduleRef = await Test.createTestingModule({ imports: [ExecutionQueueModule.forRoot({ ...options, http: STANDALONE_HTTP })] }).compile();
  const app = moduleRef.createNestApplication({ logger: process.env.TEST_LOGS ? ['error', 'warn', 'log'] : false });
  if (http) configureHttpApp(app, options.serviceVersion);
  let microservice = app.connectMicroservice({ strategy: createTransportStrategy(app) });
  await app.init();
  await app.startAllMicroservices();
  return {
    app,
    options,
    async restartConsumers(meanwhile) {
      await microservice.close();
      await meanwhile?.();
      microservice = app.connectMicroservice({ strategy: createTransportStrategy(app) });
      await microservice.listen();
    },
    close: () => app.close(),
  };
}

export interface KafkaTestbed {
  prefix: string;
  probe: KafkaProbe;
  /** Set by tests that start the service; closed after each test. */
  service: KafkaService | undefined;
}

/**
 * Registers per-test set-up and tear-down: a fresh topic prefix and probe before each test;
 * afterwards the service the test started is closed, the probe stopped and the topics deleted.
 */
export function useKafkaTestbed(): KafkaTestbed {
  const bed = {} as KafkaTestbed;
  beforeEach(() => {
    bed.prefix = uniquePrefix();
    bed.probe = new KafkaProbe(bed.prefix);
    bed.service = undefined;
  });
  afterEach(async () => {
    await bed.service?.close();
    await bed.probe.stop();
    await bed.probe.cleanUp();
  });
  return bed;
}

/** Committed offsets of a group on a topic minus the topic's end offsets, summed: 0 when caught up. */
export async function consumerLag(groupId: string, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'lag', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.reduce((lag, end) => {
      const done = committed!.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
      return lag + Number(end.high) - Math.max(0, Number(done));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

export async function rewindGroup(groupId: string, topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'rewind', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.resetOffsets({ groupId, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }
}
