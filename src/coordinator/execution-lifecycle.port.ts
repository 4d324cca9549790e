import type { Priority } from '../contracts/priority.constants.js';

/** How an execution that had a slot ended. */
export type ExecutionOutcome = 'completed' | 'failed' | 'timeout' | 'lease_expired' | 'dispatch_failed';

/**
 * What happened to one execution, as the coordinator decided or learned it. Told after the
 * event that carries it was published (or, for what the coordinator consumes, after the state
 * changed), so a listener never hears of something that did not happen. Delivery is at least
 * once: a redelivered event may tell the same thing again.
 */
export type ExecutionLifecycleEvent =
  | { type: 'accepted'; execution_id: string; user_id: string | null; priority: Priority; position: number; estimated_wait_seconds: number | null; at: Date }
  | { type: 'rejected'; execution_id: string; user_id: string | null; priority: Priority; reason: 'queue_full' | 'user_limit'; at: Date }
  | { type: 'dispatched'; execution_id: string; user_id: string; priority: Priority; waited_seconds: number; at: Date }
  | { type: 'started'; execution_id: string; at: Date }
  | { type: 'finished'; execution_id: string; outcome: ExecutionOutcome; at: Date }
  | { type: 'cancelled'; execution_id: string; at: Date }
  | { type: 'expired'; execution_id: string; user_id: string; priority: Priority; at: Date };

export type ExecutionLifecycleEventType = ExecutionLifecycleEvent['type'];

export const EXECUTION_LIFECYCLE_EVENT_TYPES: readonly ExecutionLifecycleEventType[] = ['accepted', 'rejected', 'dispatched', 'started', 'finished', 'cancelled', 'expired'];

/** Told of every lifecycle event; must not throw and must not block (the coordinator does not wait). */
export interface ExecutionLifecycleListener {
  notify(event: ExecutionLifecycleEvent): void;
}
