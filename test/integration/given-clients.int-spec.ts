import { Inject, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import {
  createEvent,
  createTransportStrategy,
  EVENT_PUBLISHER,
  EventType,
  type CreatePodCommand,
  type DeletePodCommand,
  type EventPublisher,
  type ExecutionQueue,
  ExecutionQueueModule,
  InjectExecutionQueue,
  type PodRuntime,
} from '../../src/index.js';
import { eventually } from '../builders/standalone-app.js';
import { freshPrefix, redisUrl } from '../builders/redis-harness.js';
import { kafkaBrokers, KafkaProbe, uniquePrefix } from '../builders/kafka-harness.js';

const { Kafka, logLevel } = kafkajs;

/** Nothing listens here: if the module opened its own connections from the options, it would fail. */
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';
const UNREACHABLE_BROKER = '127.0.0.1:1';

/** The host's own runtime: it finishes each execution at once and remembers what it was asked. */
@Injectable()
class InstantRuntime implements PodRuntime {
  static readonly created: string[] = [];

  constructor(@Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher) {}

  async createPod(command: CreatePodCommand): Promise<void> {
    InstantRuntime.created.push(command.execution_id);
    const origin = { userId: command.metadata.user_id };
    const source = { serviceName: 'host-runtime', serviceVersion: '1.0.0', environment: 'test' as const };
    await this.publisher.publish(
      createEvent(
        EventType.ExecutionCompleted,
        { execution_id: command.execution_id, exit_code: 0, resource_usage: null, stdout: 'done by the host', stderr: '' },
        origin,
        source,
        new Date(),
      ),
    );
  }

  async deletePod(_command: DeletePodCommand): Promise<void> {}
}

@Injectable()
class Submitter {
  constructor(@InjectExecutionQueue() readonly queue: ExecutionQueue) {}
}

describe('a host that hands in its own Redis connection, Kafka client and pod runtime', () => {
  const topicPrefix = uniquePrefix();
  const keyPrefix = freshPrefix();
  const probe = new KafkaProbe(topicPrefix);
  const hostRedis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  const hostKafka = new Kafka({ clientId: 'host-platform', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  let app: INestApplication;

  @Module({
    imports: [
      ExecutionQueueModule.forRoot({
        redisClient: hostRedis,
        kafkaClient: hostKafka,
        redisUrl: UNREACHABLE_REDIS,
        redisKeyPrefix: keyPrefix,
        kafka: { brokers: [UNREACHABLE_BROKER], topicPrefix, topicPartitions: 1 },
        customPodRuntime: InstantRuntime,
      }),
    ],
    providers: [Submitter],
  })
  class HostModule {}

  const connectionCount = async (): Promise<number> => String(await hostRedis.client('LIST')).split('\n').filter((line: string) => line.includes('addr=')).length;

  /** Connections on the server before the module started (the host's own among them). */
  let connectionsBefore = 0;

  beforeAll(async () => {
    connectionsBefore = await connectionCount();
    await probe.createTopics();
    await probe.start();
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ strategy: createTransportStrategy(app) });
    await app.init();
    await app.startAllMicroservices();
  }, 60_000);

  afterAll(async () => {
    await probe.stop();
    await probe.cleanUp();
    hostRedis.disconnect();
  }, 30_000);

  it('runs executions through them and leaves them open when the module closes', async () => {
    const queue = app.get(Submitter).queue;
    const ids = ['given-1', 'given-2', 'given-3'];
    for (const id of ids) {
      await queue.submit({ execution_id: id, user_id: 'host-user', script: 'print(1)', language: 'python', language_version: '3.11' });
    }
    await eventually(async () => probe.events('execution_completed').length === ids.length, 'the host runtime completed all three', 30_000);
    expect([...InstantRuntime.created].sort()).toEqual(ids);
    expect(probe.events('execution_completed').map((event) => event.stdout)).toEqual(ids.map(() => 'done by the host'));
    await eventually(async () => (await queue.status()).active_count === 0, 'every slot freed', 10_000);

    // The queue's state lives on the host's Redis under the configured prefix.
    expect((await hostRedis.keys(`${keyPrefix}*`)).length).toBeGreaterThan(0);

    // While running, the module has its own duplicates of the host's connection (one for
    // admissions, two for the live streams' relay); closing it closes those and nothing else.
    expect(await connectionCount()).toBeGreaterThan(connectionsBefore);
    await app.close();
    await eventually(async () => (await connectionCount()) === connectionsBefore, 'the module\u2019s own connections closed', 5_000);
    expect(hostRedis.status).toBe('ready');
    expect(await hostRedis.ping()).toBe('PONG');
    const producer = hostKafka.producer();
    await producer.connect();
    await producer.send({ topic: `${topicPrefix}execution_requested`, messages: [{ key: 'after-close', value: '{}' }] });
    await producer.disconnect();
  }, 60_000);
});

describe('given clients in the options', () => {
  it('are checked for their shape and against the chosen store and transport', async () => {
    const { resolveModuleOptions } = await import('../../src/config/module-options.js');
    expect(() => resolveModuleOptions({ redisClient: { url: 'redis://x' } })).toThrow(/redisClient: expected an ioredis client, got an object/);
    expect(() => resolveModuleOptions({ kafkaClient: 'kafka:9092' })).toThrow(/kafkaClient: expected a kafkajs Kafka instance/);
    const client = new Redis(UNREACHABLE_REDIS, { lazyConnect: true });
    expect(() => resolveModuleOptions({ redisClient: client, stateStore: 'memory' })).toThrow(/redisClient: given with stateStore 'memory'/);
    expect(resolveModuleOptions({ redisClient: client }).stateStore).toBe('redis');
    const prefixed = new Redis(UNREACHABLE_REDIS, { lazyConnect: true, keyPrefix: 'host:' });
    expect(() => resolveModuleOptions({ redisClient: prefixed })).toThrow(/redisClient: has an ioredis keyPrefix; leave it out and set redisKeyPrefix/);
    client.disconnect();
    prefixed.disconnect();
  });
});
