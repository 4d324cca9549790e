import type { Priority } from '../contracts/priority.constants.js';

/** Why a request or a queued execution was turned away. */
export type RejectionReason = 'queue_full' | 'user_limit' | 'expired' | 'dispatch_failed';
/** How an active execution ended; `lease_expired` when its slot was reclaimed without any report. */
export type FinishKind = 'completed' | 'failed' | 'timeout' | 'lease_expired';

/**
 * Told about every decision the coordinator makes, for metrics. Calls are synchronous and must
 * not throw; the coordinator does not wait on them.
 */
export interface CoordinatorObserver {
  accepted(priority: Priority): void;
  rejected(reason: RejectionReason, priority: Priority): void;
  dispatched(priority: Priority, waitedSeconds: number): void;
  finished(kind: FinishKind): void;
  cancelled(): void;
  /** An execution that was given a wait estimate started: how long it waited against the estimate. */
  waitEstimateChecked(actualSeconds: number, estimatedSeconds: number): void;
}

export const NO_OP_OBSERVER: CoordinatorObserver = {
  accepted: () => undefined,
  rejected: () => undefined,
  dispatched: () => undefined,
  finished: () => undefined,
  cancelled: () => undefined,
  waitEstimateChecked: () => undefined,
};
