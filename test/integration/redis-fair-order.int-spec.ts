import { jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import type { RedisQueueStateStore } from '../../src/coordinator/stores/redis/redis-queue-state.store.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { freshPrefix, redisClient, redisStore, redisUrl } from '../builders/redis-harness.js';
import { startStandaloneApp } from '../builders/standalone-app.js';

jest.setTimeout(60_000);

const LIMITS: QueueLimits = { ...loadConfig({}).queue, maxActiveExecutions: 1 };

describe('the Redis store under fair order', () => {
  const opened: RedisQueueStateStore[] = [];
  const open = (limits: Partial<QueueLimits>, prefix: string) => {
    const store = redisStore({ ...LIMITS, ...limits }, prefix);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  const admit = (store: RedisQueueStateStore, id: string, user: string) =>
    store.admit({ executionId: id, userId: user, priority: 'normal', payload: new ExecutionRequestBuilder().withId(id).withUser(user).build() }, 0);
  const order = async (store: RedisQueueStateStore) => (await store.pendingPage({}, 0, 100)).items.map((item) => item.executionId);

  it('keeps weights in Redis, where every replica (and a restarted one) reads them', async () => {
    const prefix = freshPrefix();
    const first = open({ queueOrder: 'fair' }, prefix);
    await first.setUserWeight('vip', 4);
    await first.close();
    const second = open({ queueOrder: 'fair' }, prefix);
    expect(await second.userWeights(['vip', 'anyone'])).toEqual([4, 1]);
    for (const id of ['s1', 's2']) await admit(second, id, 'standard');
    for (const id of ['v1', 'v2', 'v3', 'v4', 'v5']) await admit(second, id, 'vip');
    expect(await order(second)).toEqual(['s1', 'v1', 'v2', 'v3', 'v4', 's2', 'v5']);
  });

  it('refuses to serve pending executions under another order than they were queued in, and takes the new order once drained', async () => {
    const prefix = freshPrefix();
    const fifo = open({ queueOrder: 'fifo' }, prefix);
    expect(await fifo.checkQueueOrder()).toBeUndefined();
    await admit(fifo, 'a1', 'a');
    await admit(fifo, 'a2', 'a');
    const fair = open({ queueOrder: 'fair' }, prefix);
    expect(await fair.checkQueueOrder()).toEqual({ recordedOrder: 'fifo', pendingCount: 2 });
    // The service refuses to start, naming the setting.
    const options = { stateStore: 'redis' as const, redisUrl: redisUrl(), redisKeyPrefix: prefix, queue: { ...LIMITS, queueOrder: 'fair' as const } };
    await expect(startStandaloneApp(options)).rejects.toThrow(/QUEUE_ORDER=fair, but 2 executions pending in Redis .* were queued under QUEUE_ORDER=fifo/);
    // Drained, the new order is taken and recorded; the old one is now refused in turn.
    await fifo.release('a1');
    await fifo.release('a2');
    expect(await fair.checkQueueOrder()).toBeUndefined();
    await admit(fair, 'b1', 'b');
    expect(await fifo.checkQueueOrder()).toEqual({ recordedOrder: 'fair', pendingCount: 1 });
  });

  it('rewrites pending entries of the earlier layout (bare execution ids) once, at start', async () => {
    const prefix = freshPrefix();
    const store = open({ queueOrder: 'fifo' }, prefix);
    for (const [id, user] of [['x1', 'a'], ['x2', 'b'], ['x3', 'a']] as const) await admit(store, id, user);
    // Turn the state into what the previous version wrote: members are bare ids, no layout mark.
    const redis = redisClient();
    try {
      const flat = await redis.zrange(`${prefix}pending`, '0', '-1', 'WITHSCORES');
      await redis.del(`${prefix}pending`, `${prefix}user-pending:a`, `${prefix}user-pending:b`);
      for (let i = 0; i < flat.length; i += 2) await redis.zadd(`${prefix}pending`, flat[i + 1]!, flat[i]!.slice(12));
      await redis.rpush(`${prefix}user-pending:a`, 'x1', 'x3');
      await redis.rpush(`${prefix}user-pending:b`, 'x2');
      await redis.hdel(`${prefix}counters`, 'layout');
      expect(await redis.zrange(`${prefix}pending`, '0', '-1')).toEqual(['x1', 'x2', 'x3']);
      expect(await store.checkQueueOrder()).toBeUndefined();
      expect((await redis.zrange(`${prefix}pending`, '0', '-1')).map((member) => member.slice(12))).toEqual(['x1', 'x2', 'x3']);
    } finally {
      redis.disconnect();
    }
    expect(await store.lookup('x2')).toMatchObject({ state: 'pending', position: 1 });
    expect((await store.pendingPage({ userId: 'a' }, 0, 10)).items.map((item) => item.executionId)).toEqual(['x1', 'x3']);
    const steps = (await store.schedule(0, ['s1'])).steps.map((step) => step.execution.executionId);
    expect(steps).toEqual(['x1']);
    expect(await store.release('x2')).toMatchObject({ kind: 'was_pending' });
    expect(await order(store)).toEqual(['x3']);
  });
});
