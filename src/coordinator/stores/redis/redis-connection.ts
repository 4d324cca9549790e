import type { Cluster, Redis } from 'ioredis';

/** A connection the store can work on: one server (directly or found through Sentinel) or a Cluster. */
export type RedisConnection = Redis | Cluster;

/** A second connection to the same server or Cluster, with the same options. */
export function secondConnectionTo(connection: RedisConnection): RedisConnection {
  return connection.isCluster ? (connection as Cluster).duplicate() : (connection as Redis).duplicate();
}
