import { Logger } from '@nestjs/common';
import { ConfigError } from '../../../config/config.errors.js';
import type { ExecutionQueueOptions } from '../../../config/execution-queue.options.js';
import type { RedisQueueStateStore } from './redis-queue-state.store.js';

/**
 * Refuses to start a replica whose QUEUE_ORDER differs from the order the executions pending in
 * Redis were queued under: their sort keys mean arrival under fifo and start tags under fair,
 * so serving them under the other order would dispatch them in a meaningless order. With the
 * queue empty the new order is recorded and takes over. When Redis cannot be reached the
 * check is skipped with a warning: the store reports itself down until it is back, and
 * refusing to start would only add a crash loop.
 */
export async function refuseOrderSwitch(store: RedisQueueStateStore, options: ExecutionQueueOptions): Promise<void> {
  const order = options.queue.queueOrder ?? 'fifo';
  let conflict: Awaited<ReturnType<RedisQueueStateStore['checkQueueOrder']>>;
  try {
    conflict = await store.checkQueueOrder();
  } catch (error) {
    new Logger('QueueOrder').warn(`Could not compare QUEUE_ORDER with the order in Redis: ${(error as Error).message}`);
    return;
  }
  if (!conflict) return;
  await store.close();
  throw new ConfigError([
    `QUEUE_ORDER=${order}, but ${conflict.pendingCount} executions pending in Redis (prefix ${options.redisKeyPrefix}) were queued under ` +
      `QUEUE_ORDER=${conflict.recordedOrder}. Start with QUEUE_ORDER=${conflict.recordedOrder}, or switch once the queue is empty ` +
      `(let what is pending run under the old order, then restart every replica with the new one).`,
  ]);
}
