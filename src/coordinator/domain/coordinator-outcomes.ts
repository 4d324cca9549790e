import type { Priority } from '../../contracts/priority.constants.js';

/** A pending execution as the outcome types expose it. */
export interface QueuedExecution<P = unknown> {
  executionId: string;
  userId: string;
  priority: Priority;
  enqueuedAt: number;
  payload: P;
}

/** What listings show of an execution: everything but the request it carries. */
export type ExecutionSummary = Omit<QueuedExecution, 'payload'>;
export type ActiveSummary = Omit<ActiveExecution, 'payload'>;

/** An execution that was dispatched and has not finished. */
export interface ActiveExecution<P = unknown> extends QueuedExecution<P> {
  dispatchedAt: number;
  sagaId: string;
}

/** Result of offering a new request to the queue. Expected refusals are values, not errors. */
export type AdmissionOutcome<P = unknown> =
  | {
      kind: 'accepted';
      position: number;
      /**
       * Whether executions of other users arriving later may still be placed ahead of it (fair
       * order, when its turn is ahead of its level's virtual time): its position is then a lower
       * bound, which the wait estimate allows for.
       */
      passable: boolean;
      expired: QueuedExecution<P>[];
    }
  | DuplicateOutcome
  | { kind: 'queue_full'; maxQueueSize: number; expired: QueuedExecution<P>[] }
  | { kind: 'user_limit'; limit: number; current: number; expired: QueuedExecution<P>[] };

/** A refusal at admission, remembered so a redelivered request gets the same answer. */
export type AdmissionRefusal = 'queue_full' | 'user_limit';

/**
 * A request for an id already known. What the first answer was matters when the answer may
 * have been lost with a crashed replica: a still pending execution can be announced again, a
 * refused one refused again.
 */
export type DuplicateOutcome =
  | { kind: 'duplicate'; state: 'pending'; position: number; priority: Priority }
  | { kind: 'duplicate'; state: 'refused'; refusal: AdmissionRefusal }
  | { kind: 'duplicate'; state: 'active' | 'finished' };

/**
 * Why nothing was dispatched. `waiting`: an admission found other executions already waiting,
 * so it did not schedule: the queue is only non-empty while dispatching is held or no slot is
 * free, and what frees a slot (a release, the housekeeping run, a resume) schedules itself.
 */
export type IdleReason = 'held' | 'at_capacity' | 'empty' | 'waiting';

/**
 * Result of one scheduling step. Besides dispatching, a step repairs what a crash or a lost
 * event left behind: an active execution whose lease ran out loses its slot
 * (`lease_expired`), and a dispatch whose command was never confirmed as published is handed
 * out again with the same saga (`redispatch`).
 */
export type DispatchOutcome<P = unknown> =
  | { kind: 'dispatched'; execution: ActiveExecution<P> }
  | { kind: 'redispatch'; execution: ActiveExecution<P> }
  | { kind: 'expired'; execution: QueuedExecution<P> }
  | { kind: 'lease_expired'; execution: ActiveExecution<P> }
  | { kind: 'idle'; reason: IdleReason };

/**
 * Where a released or cancelled execution was found. Summaries only: a finished execution's
 * request is not needed again, and a store need not read it back to answer.
 */
export type ReleaseOutcome =
  | { kind: 'was_pending'; execution: ExecutionSummary }
  | { kind: 'was_active'; execution: ActiveSummary }
  | { kind: 'unknown' };

export type ReprioritizeOutcome =
  | { kind: 'moved'; position: number; priority: Priority }
  | { kind: 'not_pending'; state: 'active' }
  | { kind: 'unknown' };

/** One step of a scheduling run that changed something. */
export type DispatchStep<P = unknown> = Exclude<DispatchOutcome<P>, { kind: 'idle' }>;

/**
 * What a scheduling run did, in order, and why it stopped: an idle reason, or null when it ran
 * out of saga ids (or of its step budget) and should be run again.
 */
export interface ScheduleResult<P = unknown> {
  steps: DispatchStep<P>[];
  idle: IdleReason | null;
}

/** Steps a scheduling run may take without dispatching (drops, reclaims) before it yields. */
export const MAX_REPAIR_STEPS_PER_RUN = 64;
