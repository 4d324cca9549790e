/** Label that places an executor pod in one of the worker shards. */
export const SHARD_LABEL = 'execution-queue/shard';

/**
 * The shard of an execution: FNV-1a of its id, modulo the shard count. Stable across processes,
 * so every worker agrees which shard a pod belongs to.
 */
export function shardOf(executionId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < executionId.length; i++) {
    hash ^= executionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Label selector for the executor pods of some shards (`base` selects executor pods at all). */
export function shardSelector(base: string, shards: readonly number[]): string {
  return `${base},${SHARD_LABEL} in (${[...shards].sort((a, b) => a - b).join(',')})`;
}
