import type { OperatorChange } from '../../application/operator-changes.port.js';
import type { ExecutionLifecycleEvent } from '../../coordinator/execution-lifecycle.port.js';

export type { OperatorChange };

/** Everything the live streams report: what happened to an execution, or what an operator did. */
export type QueueChange = ExecutionLifecycleEvent | OperatorChange;

export type QueueChangeType = QueueChange['type'];

/**
 * A change as it travels between replicas and goes out on a stream: snake_case fields, an ISO
 * time, and the replica that saw it with its own counter (so a client can tell replicas' frames
 * apart and spot a gap in one replica's sequence).
 */
export type QueueChangeFrame = Record<string, unknown> & { type: QueueChangeType; at: string; origin: string; seq: number };

/** The frame of a change: its fields as they are (already the wire's names), `at` as ISO text. */
export function frameOf(change: QueueChange, origin: string, seq: number): QueueChangeFrame {
  return { ...change, at: change.at.toISOString(), origin, seq } as QueueChangeFrame;
}

/** The execution a frame is about, if any. */
export function executionOf(frame: QueueChangeFrame): string | undefined {
  return typeof frame.execution_id === 'string' ? frame.execution_id : undefined;
}

/** Changes after which an execution's stream ends. */
export const TERMINAL_CHANGES: ReadonlySet<QueueChangeType> = new Set(['finished', 'cancelled', 'expired', 'rejected']);

/**
 * Changes that can move pending executions' positions (someone joined ahead, left the queue, or
 * moved). Only these make the per-execution streams look their executions up again.
 */
export const POSITION_CHANGES: ReadonlySet<QueueChangeType> = new Set(['accepted', 'dispatched', 'cancelled', 'expired', 'reprioritized', 'held', 'resumed', 'weight_changed']);
