import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { PRIORITIES } from '../../src/contracts/priority.constants.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import type { QueueStateStore } from '../../src/coordinator/queue-state-store.port.js';
import { InMemoryQueueStateStore } from '../../src/coordinator/stores/in-memory-queue-state.store.js';
import type { RedisQueueStateStore } from '../../src/coordinator/stores/redis/redis-queue-state.store.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { freshPrefix, redisClient, redisStore } from '../builders/redis-harness.js';

jest.setTimeout(60_000);

/**
 * The Redis store moves the sets and hashes every admission and dispatch touches out of Redis's
 * packed encoding once they hold 8 entries (see move_to_skip_list in lua/common.lua): packed,
 * each read walks the entries and each write rewrites the block. The move adds and removes one
 * entry longer than any id; these tests check that it happens, that it leaves nothing behind and
 * that the queue reads exactly as the in-memory store's does.
 */
const LIMITS: QueueLimits = { ...loadConfig({}).queue, queueOrder: 'fair', agingSeconds: 60, maxActiveExecutions: 40 };
/** The entry the move adds and removes: 256 tildes, longer than any id or user (128 at most). */
const UNPACKING_ENTRY = '~'.repeat(256);

describe('the Redis store and Redis encodings', () => {
  let redis: Redis;
  const opened: RedisQueueStateStore[] = [];
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const open = (limits: QueueLimits, prefix = freshPrefix()) => {
    const store = redisStore(limits, prefix);
    opened.push(store);
    return { store, key: (name: string) => `${prefix}${name}` };
  };
  const encoding = (key: string) => redis.object('ENCODING', key);
  const request = (index: number) => {
    const id = `enc-${index}`;
    const user = `user-${index}`;
    // Low and background entries age, so the aging index grows with the queue.
    const priority = PRIORITIES[index % PRIORITIES.length]!;
    return { executionId: id, userId: user, priority, payload: new ExecutionRequestBuilder().withId(id).withUser(user).withPriority(priority).build() };
  };
  const queued = async (store: QueueStateStore) =>
    (await store.pendingPage({}, 0, 100)).items.map((item) => `${item.executionId}@${item.position}:${item.effectivePriority}`);

  it('keeps a short queue packed and moves it to the skip list at 8 entries, reading as the in-memory queue does', async () => {
    const { store, key } = open(LIMITS);
    const memory = new InMemoryQueueStateStore(LIMITS);
    const admitBoth = async (index: number) => {
      // No saga ids: nothing is dispatched, everything waits.
      const [fromRedis, fromMemory] = [await store.admit(request(index), 1_000), await memory.admit(request(index), 1_000)];
      expect(fromRedis).toMatchObject({ kind: 'accepted' });
      expect(fromRedis.kind === 'accepted' && fromRedis.position).toEqual(fromMemory.kind === 'accepted' && fromMemory.position);
    };
    // Four waiting (two of them aging) from four users: below the threshold. (The fair hash holds
    // two clocks per level besides one per user, so it reaches 8 fields first.)
    for (let index = 0; index < 4; index++) await admitBoth(index);
    for (const name of ['pending', 'arrivals', 'aging', 'usage']) expect([name, await encoding(key(name))]).toEqual([name, 'listpack']);

    for (let index = 4; index < 40; index++) await admitBoth(index);
    for (const name of ['pending', 'arrivals', 'aging']) expect([name, await encoding(key(name))]).toEqual([name, 'skiplist']);
    for (const name of ['usage', 'fair']) expect([name, await encoding(key(name))]).toEqual([name, 'hashtable']);
    expect(await queued(store)).toEqual(await queued(memory));
    expect(await redis.zcard(key('pending'))).toBe(40);
    expect(await redis.zcard(key('arrivals'))).toBe(40);
    expect(await redis.zscore(key('pending'), UNPACKING_ENTRY)).toBeNull();
    expect(await redis.zscore(key('arrivals'), UNPACKING_ENTRY)).toBeNull();
    expect(await redis.zscore(key('aging'), UNPACKING_ENTRY)).toBeNull();
    expect(await redis.hexists(key('usage'), UNPACKING_ENTRY)).toBe(0);
    expect(await redis.hexists(key('fair'), UNPACKING_ENTRY)).toBe(0);
    expect((await store.usersPage(0, 100)).items).toHaveLength(40);

    // Drained, the keys go; a new short queue is packed again.
    for (let index = 0; index < 40; index++) await store.release(`enc-${index}`, 2_000);
    expect(await redis.exists(key('pending'), key('arrivals'), key('aging'), key('usage'))).toBe(0);
    await store.admit(request(40), 3_000);
    expect(await encoding(key('pending'))).toBe('listpack');
  });

  it('moves the active set at 8 running executions and the weights at 8 users', async () => {
    const { store, key } = open(LIMITS);
    for (let index = 0; index < 7; index++) await store.admit(request(index), 1_000, [`saga-${index}`]);
    expect(await encoding(key('active'))).toBe('listpack');
    await store.admit(request(7), 1_000, ['saga-7']);
    expect(await encoding(key('active'))).toBe('skiplist');
    expect((await store.activePage(0, 100)).items).toHaveLength(8);
    expect(await redis.zscore(key('active'), UNPACKING_ENTRY)).toBeNull();

    const users = Array.from({ length: 40 }, (_, index) => `weighted-${index}`);
    for (const [index, user] of users.slice(0, 7).entries()) await store.setUserWeight(user, index + 1);
    expect(await encoding(key('weights'))).toBe('listpack');
    for (const [index, user] of users.slice(7).entries()) await store.setUserWeight(user, index + 8);
    expect(await encoding(key('weights'))).toBe('hashtable');
    expect(await redis.hlen(key('weights'))).toBe(40);
    expect(await store.userWeights(users)).toEqual(users.map((_, index) => index + 1));
  });
});
