import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { RedisQueueStateStore, type RedisConnection } from '../../src/coordinator/stores/redis/redis-queue-state.store.js';
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

/** The three-master Cluster scripts/infra/redis-topologies.sh started. */
export function clusterNodes(): { host: string; port: number }[] {
  const nodes = process.env.REDIS_CLUSTER_NODES;
  if (!nodes) throw new Error('REDIS_CLUSTER_NODES is not set: run the integration tests through `npm test` (or `npm run infra:up`)');
  return nodes.split(',').map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) }));
}

/** The Sentinels scripts/infra/redis-topologies.sh started, and the name of the master they watch. */
export function sentinelSettings(): { sentinels: { host: string; port: number }[]; name: string } {
  const sentinels = process.env.REDIS_SENTINELS;
  const name = process.env.REDIS_SENTINEL_NAME;
  if (!sentinels || !name) throw new Error('REDIS_SENTINELS is not set: run the integration tests through `npm test` (or `npm run infra:up`)');
  return { sentinels: sentinels.split(',').map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) })), name };
}

/** A connection to the test Cluster, as a host would open it. */
export function clusterConnection(): Cluster {
  return new Cluster(clusterNodes(), { redisOptions: { maxRetriesPerRequest: 1 } });
}

/** A connection to the Sentinel-watched master, as a host would open it. */
export function sentinelConnection(): Redis {
  const { sentinels, name } = sentinelSettings();
  return new Redis({ sentinels, name, maxRetriesPerRequest: 1 });
}

/** A hash-tagged prefix of the test's own: on a Cluster every key of a queue shares one slot. */
export function freshTaggedPrefix(): string {
  return `{test-${randomUUID().slice(0, 8)}}:`;
}

/**
 * Stores on connections the test opens (as a host hands its own in); the store never closes
 * those, so closing the returned store also closes its connection here.
 */
export function storeOn(connect: () => RedisConnection, limits: QueueLimits, keyPrefix = freshTaggedPrefix()): RedisQueueStateStore {
  const connection = connect();
  const store = new RedisQueueStateStore(limits, { url: 'unused', keyPrefix, connection });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    connection.disconnect();
  };
  return store;
}
