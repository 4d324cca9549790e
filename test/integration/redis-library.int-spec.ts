import { jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { RedisLibraryLoader } from '../../src/coordinator/stores/redis/redis-library-loader.js';
import { buildLibrary } from '../../src/coordinator/stores/redis/redis-scripts.js';
import { anExecutionRequest } from '../builders/execution-request.builder.js';
import { redisClient, redisStore } from '../builders/redis-harness.js';

jest.setTimeout(30_000);

const LIMITS = loadConfig({}).queue;
const OLD_VERSION = 'execution_queue_000000000000';
/** A stand-in for the library of an earlier version: one function under that version's name. */
const oldLibrary = {
  name: OLD_VERSION,
  source: `#!lua name=${OLD_VERSION}\nredis.register_function('${OLD_VERSION}_ping', function() return 'old' end)`,
  functionName: () => `${OLD_VERSION}_ping`,
};

describe('Redis function library versions', () => {
  const redis = redisClient();
  const library = buildLibrary();
  const versions = () => new RedisLibraryLoader(redis, library).loadedVersions();

  afterAll(async () => {
    await redis.call('FUNCTION', 'DELETE', OLD_VERSION).catch(() => undefined);
    redis.disconnect();
  });

  it('loads its own version into a Redis that lacks it and deletes the versions left by earlier ones', async () => {
    // A replica of an earlier version started first and loaded its library.
    await redis.call('FUNCTION', 'DELETE', library.name).catch(() => undefined);
    const oldReplica = new RedisLibraryLoader(redis, oldLibrary);
    await oldReplica.load();
    expect(await versions()).toContain(OLD_VERSION);

    const store = redisStore(LIMITS);
    try {
      expect((await store.snapshot()).pendingCount).toBe(0);
      expect(await versions()).toEqual([library.name]);
      // The old replica, still running, finds its library gone and loads it again. Having
      // loaded once already, it deletes nothing this time, so the two versions do not take
      // turns deleting each other's library while both run.
      await oldReplica.load();
      expect(await redis.fcall(`${OLD_VERSION}_ping`, 0)).toBe('old');
      expect((await versions()).sort()).toEqual([OLD_VERSION, library.name].sort());
      // ... and this version's calls keep working beside it.
      expect((await store.snapshot()).pendingCount).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('Redis store keys after executions end', () => {
  const redis = redisClient();
  afterAll(() => redis.disconnect());

  it('keeps no request of an ended execution, and only as many tombstones as it remembers ids', async () => {
    const prefix = `test-ended-${Date.now()}:`;
    const store = redisStore({ ...LIMITS, maxActiveExecutions: 2, recentIdsCapacity: 3 }, prefix);
    try {
      const ids = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'];
      for (const id of ids) await store.admit({ executionId: id, userId: 'keys-user', priority: 'normal', payload: anExecutionRequest().withId(id).withUser('keys-user').build() }, 0, ['s']);
      // e1 and e2 run and finish, each release dispatching the next (e3, e4), which finish too;
      // e6 is cancelled while it waits; e5 still waits.
      await store.release('e1', 0, ['s3']);
      await store.release('e2', 0, ['s4']);
      await store.release('e3', 0, []);
      await store.release('e4', 0, []);
      expect(await store.release('e6', 0, [])).toMatchObject({ kind: 'was_pending' });
      const fields = await redis.hgetall(`${prefix}exec`);
      const requests = Object.entries(fields).filter(([field, value]) => field.startsWith('r:') && value !== '');
      expect(requests.map(([field]) => field)).toEqual(['r:e5']);
      // Five ended, three remembered: the oldest two (e1, e2) are forgotten with both their fields.
      expect(Object.keys(fields).filter((field) => !field.startsWith('r:')).sort()).toEqual(['e3', 'e4', 'e5', 'e6']);
      expect(Object.keys(fields).filter((field) => field.startsWith('r:')).sort()).toEqual(['r:e3', 'r:e4', 'r:e5', 'r:e6']);
      expect(await redis.lrange(`${prefix}recent`, 0, -1)).toEqual(['e3', 'e4', 'e6']);
      expect(await store.admit({ executionId: 'e1', userId: 'keys-user', priority: 'normal', payload: anExecutionRequest().withId('e1').build() }, 0)).toMatchObject({ kind: 'accepted' });
    } finally {
      await store.close();
    }
  });

  it('skips queue and active entries that have no execution behind them instead of stalling', async () => {
    const prefix = `test-orphans-${Date.now()}:`;
    const store = redisStore({ ...LIMITS, maxActiveExecutions: 2, leaseSeconds: 1 }, prefix);
    try {
      await store.admit({ executionId: 'real', userId: 'orphan-user', priority: 'low', payload: anExecutionRequest().withId('real').build() }, 0);
      // Entries no code path leaves behind: a queued id ahead of 'real' and an active one whose lease ran out.
      await redis.zadd(`${prefix}pending`, 0, 'ghost-queued');
      await redis.zadd(`${prefix}active`, 2, 'ghost-active');
      const result = await store.schedule(10_000, ['s1', 's2']);
      expect(result.steps.map((step) => `${step.kind}:${step.execution.executionId}`)).toEqual(['dispatched:real']);
      expect(await redis.zscore(`${prefix}active`, 'ghost-active')).toBeNull();
      expect(await redis.zscore(`${prefix}pending`, 'ghost-queued')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
