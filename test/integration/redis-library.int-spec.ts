import { jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { RedisLibraryLoader } from '../../src/coordinator/stores/redis/redis-library-loader.js';
import { buildLibrary } from '../../src/coordinator/stores/redis/redis-scripts.js';
import { redisClient, redisStore } from '../builders/redis-harness.js';

jest.setTimeout(30_000);

const LIMITS = loadConfig({}).queue;
const OLD_VERSION = 'execution_queue_000000000000';

describe('Redis function library versions', () => {
  const redis = redisClient();
  const library = buildLibrary();
  const versions = () => new RedisLibraryLoader(redis, library).loadedVersions();

  afterAll(async () => {
    await redis.call('FUNCTION', 'DELETE', OLD_VERSION).catch(() => undefined);
    redis.disconnect();
  });

  it('loads its own version into a Redis that lacks it and deletes the versions left by earlier ones', async () => {
    await redis.call('FUNCTION', 'LOAD', 'REPLACE', `#!lua name=${OLD_VERSION}\nredis.register_function('${OLD_VERSION}_ping', function() return 'old' end)`);
    await redis.call('FUNCTION', 'DELETE', library.name).catch(() => undefined);
    expect(await versions()).toContain(OLD_VERSION);

    const store = redisStore(LIMITS);
    try {
      expect((await store.snapshot()).pendingCount).toBe(0);
      expect(await versions()).toEqual([library.name]);
      // A replica still running the old version finds its library gone and loads it again.
      await redis.call('FUNCTION', 'LOAD', 'REPLACE', `#!lua name=${OLD_VERSION}\nredis.register_function('${OLD_VERSION}_ping', function() return 'old' end)`);
      expect(await redis.fcall(`${OLD_VERSION}_ping`, 0)).toBe('old');
      // ... and this version's calls keep working beside it.
      expect((await store.snapshot()).pendingCount).toBe(0);
    } finally {
      await store.close();
    }
  });
});
