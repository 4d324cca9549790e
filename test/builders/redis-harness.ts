import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisQueueStateStore } from '../../src/coordinator/stores/redis/redis-queue-state.store.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';

/** The Redis server scripts/infra/up.sh started (or the one REDIS_URL names). */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the integration tests through `npm test` (or `npm run infra:up`)');
  return url;
}

/** A key prefix of the test's own, so tests never see each other's state. */
export function freshPrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}

export function redisStore(limits: QueueLimits, keyPrefix = freshPrefix()): RedisQueueStateStore {
  return new RedisQueueStateStore(limits, { url: redisUrl(), keyPrefix });
}

/** A plain client for tests that look at or change the server directly. */
export function redisClient(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}
