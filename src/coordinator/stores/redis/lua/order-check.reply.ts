import type { QueueOrder } from '../../../../contracts/queue-order.constants.js';
import type { Reply } from '../redis-reply.js';

/** A conflict order-check.lua found: the order the pending executions were queued in, and how many there are. */
export interface QueueOrderConflict {
  recordedOrder: QueueOrder;
  pendingCount: number;
}

/** order-check.lua's reply: 'ok', or 'conflict' with the recorded order and the pending count. */
export function decodeOrderCheckReply([verdict, recorded, pending]: Reply[]): QueueOrderConflict | undefined {
  return verdict === 'conflict' ? { recordedOrder: recorded as QueueOrder, pendingCount: Number(pending) } : undefined;
}
