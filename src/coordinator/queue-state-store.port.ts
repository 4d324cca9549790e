import type { ExecutionRequestedEvent } from '../contracts/execution.events.js';
import type { Priority } from '../contracts/priority.constants.js';
import type {
  AdmissionOutcome,
  ReleaseOutcome,
  ReprioritizeOutcome,
  ScheduleResult,
} from './domain/coordinator-outcomes.js';
import type {
  AdmissionRequest,
  ExecutionLookup,
  Page,
  PendingFilter,
  PositionedExecution,
  QueueSnapshot,
  UserUsage,
  UserUsageRow,
} from './domain/coordinator-state.js';
import type { ActiveSummary } from './domain/coordinator-outcomes.js';

// The shapes the store's methods take and give. The domain defines them (its in-memory state
// answers the same calls, and it imports nothing of ours); code outside the domain takes them
// from this port.
export type { AdmissionOutcome, ActiveSummary, ReleaseOutcome, ReprioritizeOutcome, ScheduleResult, AdmissionRequest, ExecutionLookup, Page, PendingFilter, PositionedExecution, QueueSnapshot, UserUsage, UserUsageRow };

/** An outcome, plus what the scheduling run in the same atomic call did (when one was asked for). */
export type Scheduled<T> = T & { scheduled?: ScheduleResult<StoredRequest> };

/** What the store keeps with each execution: the original request, needed again at dispatch. */
export type StoredRequest = ExecutionRequestedEvent;

/**
 * Where the coordinator's state lives. Each method is one atomic state change or one
 * consistent read, so that a shared store (Redis, with one script per method) keeps every
 * limit exact when several coordinator replicas call it at once. Handlers only ever talk to
 * this interface.
 */
export interface QueueStateStore {
  /**
   * Duplicate check, stale sweep when full, queue-size and per-user checks, enqueue. Given saga
   * ids and accepted, it also schedules in the same atomic call (see `schedule`), so handling a
   * request costs one round trip; unless other executions were already waiting, which means no
   * slot is free or dispatching is held: then it answers `idle: 'waiting'` without scheduling
   * (and without looking for expired leases, which releases and the housekeeping run do).
   */
  admit(request: AdmissionRequest<StoredRequest>, now: number, sagaIds?: readonly string[]): Promise<Scheduled<AdmissionOutcome<StoredRequest>>>;
  /**
   * Scheduling steps until idle, one saga id per dispatch. Each step reclaims an expired lease,
   * or hands out again a dispatch left unconfirmed past the grace period, or takes the next
   * pending execution if a slot is free and the queue is not held (dropping it if stale).
   */
  schedule(now: number, sagaIds: readonly string[]): Promise<ScheduleResult<StoredRequest>>;
  /** Records that these dispatches' commands were published. */
  confirmDispatched(executionIds: readonly string[]): Promise<void>;
  /** Restarts an active execution's lease (a sign of life from its pod); false if it is not active. */
  renewLease(executionId: string, now: number): Promise<boolean>;
  /** Frees an execution wherever it is; given `now` and saga ids it then schedules in the same call. */
  release(executionId: string, now?: number, sagaIds?: readonly string[]): Promise<Scheduled<ReleaseOutcome>>;
  /** Sets a pending execution's priority; given `now`, its aging starts over then (else it counts from its enqueue). */
  reprioritize(executionId: string, priority: Priority, now?: number): Promise<ReprioritizeOutcome>;
  /** Sets a user's weight under fair order (durable, shared by replicas); applies to that user's next turns. */
  setUserWeight(userId: string, weight: number): Promise<void>;
  /** Each user's weight: the one set, or the default. */
  userWeights(userIds: readonly string[]): Promise<number[]>;
  setHeld(held: boolean): Promise<void>;
  snapshot(): Promise<QueueSnapshot>;
  lookup(executionId: string): Promise<ExecutionLookup<StoredRequest> | undefined>;
  userUsage(userId: string): Promise<UserUsage>;
  /** Pending executions in queue order with their true positions; never scans the whole queue. */
  pendingPage(filter: PendingFilter, offset: number, limit: number): Promise<Page<PositionedExecution>>;
  /** Active executions in dispatch order. */
  activePage(offset: number, limit: number): Promise<Page<ActiveSummary>>;
  /** Users with pending or active executions, largest total first. */
  usersPage(offset: number, limit: number): Promise<Page<UserUsageRow>>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
