import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { PRIORITIES } from '../../src/contracts/priority.constants.js';
import { loadConfig } from '../../src/config/load-config.js';
import { QUEUE_STATE_STORE } from '../../src/execution-queue.constants.js';
import type { QueueStateStore } from '../../src/coordinator/queue-state-store.port.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { startKafkaService, useKafkaTestbed, type KafkaService } from '../builders/kafka-harness.js';
import { freshPrefix, redisUrl } from '../builders/redis-harness.js';
import { OwnRedisServer } from '../builders/redis-server.js';
import { eventually } from '../builders/standalone-app.js';
import { WIRE_FIXTURES } from '../fixtures/wire-events.fixtures.js';

// Closing a Kafka consumer group can take longer than the 5 s default for hooks.
jest.setTimeout(240_000);

const DEFAULT_QUEUE = loadConfig({}).queue;

/** A completion as the pod worker would report it, from the wire fixtures. */
function finishedEvent(executionId: string) {
  return { ...WIRE_FIXTURES.execution_completed!, event_id: randomUUID(), execution_id: executionId, aggregate_id: executionId };
}

describe('queue state on Redis across restarts', () => {
  const bed = useKafkaTestbed();

  async function start(keyPrefix: string, queue: Partial<typeof DEFAULT_QUEUE>, more: Parameters<typeof startKafkaService>[1] = {}): Promise<KafkaService> {
    return startKafkaService(bed.prefix, {
      stateStore: 'redis',
      redisUrl: redisUrl(),
      redisKeyPrefix: keyPrefix,
      housekeepingSeconds: 0,
      queue: { ...DEFAULT_QUEUE, ...queue },
      ...more,
    });
  }

  it('keeps pending and active executions, their order and the limits across a coordinator restart', async () => {
    const keyPrefix = freshPrefix();
    await bed.probe.createTopics();
    await bed.probe.start();
    bed.service = await start(keyPrefix, { maxActiveExecutions: 2 }, { simulatedRunMs: 600_000 });
    const ids = ['low-1', 'normal-1', 'critical-1', 'normal-2', 'high-1', 'low-2'].map((name) => `${name}-${randomUUID().slice(0, 8)}`);
    for (const id of ids) {
      const priority = id.split('-')[0] as (typeof PRIORITIES)[number];
      await bed.probe.sendEvent(new ExecutionRequestBuilder().withId(id).withPriority(priority).build() as unknown as Record<string, unknown>);
    }
    await eventually(() => bed.probe.events('execution_accepted').length === 6 && bed.probe.events('create_pod_command').length === 2, 'six accepted, two dispatched', 20_000);
    const store = () => bed.service!.app.get<QueueStateStore>(QUEUE_STATE_STORE);
    const before = { snapshot: await store().snapshot(), pending: await store().pendingPage({}, 0, 10), active: await store().activePage(0, 10) };
    expect(before.snapshot).toMatchObject({ pendingCount: 4, activeCount: 2 });

    await bed.service.close();
    bed.service = await start(keyPrefix, { maxActiveExecutions: 2 }, { simulatedRunMs: 600_000 });
    expect({ snapshot: await store().snapshot(), pending: await store().pendingPage({}, 0, 10), active: await store().activePage(0, 10) }).toEqual(before);
    // Nothing was dispatched by the restart itself: the limit of two still holds.
    expect(bed.probe.events('create_pod_command')).toHaveLength(2);

    const dispatchedFirst = bed.probe.events('create_pod_command').map((command) => command.execution_id);
    for (const id of dispatchedFirst) await bed.probe.sendEvent(finishedEvent(id));
    await eventually(() => bed.probe.events('create_pod_command').length === 4, 'two more dispatches', 20_000);
    // Commands for different executions travel on different partitions, so the probe may read
    // them in either order: what matters is which two were chosen.
    const next = bed.probe.events('create_pod_command').slice(2).map((command) => command.execution_id);
    expect(next.sort()).toEqual(before.pending.items.slice(0, 2).map((item) => item.executionId).sort());
    expect((await store().snapshot()).activeCount).toBe(2);
  }, 90_000);

  describe('with a Redis server of its own', () => {
    let redis: OwnRedisServer;
    beforeEach(async () => {
      redis = await OwnRedisServer.start();
    });
    afterEach(async () => {
      await redis.destroy();
    });

    it('holds events while Redis is down, reports it on the ready probe, and loses nothing once it is back', async () => {
      await bed.probe.createTopics();
      await bed.probe.start();
      bed.service = await startKafkaService(bed.prefix, {
        stateStore: 'redis',
        redisUrl: redis.url,
        redisKeyPrefix: freshPrefix(),
        housekeepingSeconds: 1,
        simulatedRunMs: 20,
        queue: { ...DEFAULT_QUEUE, maxActiveExecutions: 20, maxExecutionsPerUser: 10_000, maxQueueSize: 10_000, dispatchGraceSeconds: 2 },
      });
      const http = () => request(bed.service!.app.getHttpServer());
      await http().get('/health/ready').expect(200);

      const total = 1000;
      const ids: string[] = [];
      const send = async (count: number) => {
        const batch = Array.from({ length: count }, () => {
          const id = randomUUID();
          ids.push(id);
          return new ExecutionRequestBuilder().withId(id).withUser(`user-${ids.length % 20}`).build();
        });
        await bed.probe.sendEvents(batch);
      };
      await send(400);
      await eventually(() => bed.probe.events('execution_completed').length >= 100, 'work under way', 30_000);
      await redis.stop();
      await send(300);
      const ready = await http().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.queue_state_store).toMatchObject({ status: 'down' });
      const completedWhileDown = bed.probe.events('execution_completed').length;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await redis.restart();
      await send(total - 700);
      await eventually(async () => (await http().get('/health/ready')).status === 200, 'ready again', 30_000);
      const completed = () => new Set(bed.probe.events('execution_completed').map((event) => event.execution_id));
      await eventually(() => completed().size === total, `all ${total} executions completed`, 120_000).catch((error: Error) => {
        const missing = ids.filter((id) => !completed().has(id)).slice(0, 3);
        const history = (id: string) => bed.probe.messages.filter((message) => message.key === id).map((message) => message.topic).join(' > ');
        throw new Error(`${error.message}: ${completed().size} completed, ${completedWhileDown} before Redis came back; missing ${missing.map((id) => `${id} [${history(id)}]`).join('; ')}; dead letters: ${JSON.stringify(bed.probe.deadLetters()).slice(0, 2000)}`);
      });
      await bed.probe.catchUpOnCommands();
      const sagas = new Map<string, Set<string>>();
      for (const command of bed.probe.events('create_pod_command')) sagas.set(command.execution_id, (sagas.get(command.execution_id) ?? new Set()).add(command.saga_id));
      expect(ids.filter((id) => sagas.get(id)?.size !== 1)).toEqual([]);
      expect(bed.probe.events('execution_failed')).toEqual([]);
      expect(bed.probe.deadLetters()).toEqual([]);
      expect(new Set(bed.probe.events('execution_accepted').map((event) => event.execution_id)).size).toBe(total);
    }, 240_000);
  });
});
