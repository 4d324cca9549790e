import type { Priority } from '../../contracts/priority.constants.js';
import type {
  ActiveExecution,
  AdmissionOutcome,
  DispatchOutcome,
  QueuedExecution,
  ReleaseOutcome,
  ReprioritizeOutcome,
} from './coordinator-outcomes.js';
import { PendingQueue, type PendingEntry, type PriorityCounts } from './pending-queue.js';
import type { QueueLimits } from './queue-limits.js';
import { RecentIds } from './recent-ids.js';

export interface AdmissionRequest<P> {
  executionId: string;
  userId: string;
  priority: Priority;
  payload: P;
}

export interface UserUsage {
  pending: number;
  active: number;
}

/** A point-in-time summary of the queue. */
export interface QueueSnapshot {
  pendingCount: number;
  activeCount: number;
  held: boolean;
  byPriority: PriorityCounts;
  oldestEnqueuedAt: number | null;
}

export type ExecutionLookup<P> =
  | { state: 'pending'; execution: QueuedExecution<P>; position: number }
  | { state: 'active'; execution: ActiveExecution<P> };

/**
 * The coordinator's whole state and every rule of DESIGN §4, as plain synchronous code.
 * Each method is one atomic state change; the caller publishes the events the outcome calls
 * for. Times are passed in (epoch milliseconds) so the rules never read a clock themselves.
 */
export class CoordinatorState<P = unknown> {
  private readonly pending = new PendingQueue<P>();
  private readonly active = new Map<string, ActiveExecution<P>>();
  private readonly usage = new Map<string, UserUsage>();
  private readonly recent: RecentIds;
  private held = false;

  constructor(private readonly limits: QueueLimits) {
    this.recent = new RecentIds(limits.recentIdsCapacity);
  }

  /** Duplicate check, queue-size check (after a stale sweep), per-user check, then enqueue. */
  admit(request: AdmissionRequest<P>, now: number): AdmissionOutcome<P> {
    const { executionId, userId } = request;
    if (this.pending.has(executionId) || this.active.has(executionId) || this.recent.has(executionId)) {
      return { kind: 'duplicate' };
    }
    let expired: QueuedExecution<P>[] = [];
    if (this.pending.size >= this.limits.maxQueueSize) {
      expired = this.sweepStale(now);
      if (this.pending.size >= this.limits.maxQueueSize) {
        this.recent.add(executionId);
        return { kind: 'queue_full', maxQueueSize: this.limits.maxQueueSize, expired };
      }
    }
    const usage = this.usageOf(userId);
    const current = usage.pending + usage.active;
    if (current >= this.limits.maxExecutionsPerUser) {
      this.recent.add(executionId);
      return { kind: 'user_limit', limit: this.limits.maxExecutionsPerUser, current };
    }
    const entry = this.pending.enqueue(executionId, userId, request.priority, now, request.payload);
    this.adjustUsage(userId, 1, 0);
    return { kind: 'accepted', position: this.pending.rank(entry.executionId), expired };
  }

  /**
   * One scheduling step: if dispatching is allowed and a slot is free, takes the next pending
   * execution and either marks it active under `sagaId` or, when it waited past the stale
   * timeout, drops it.
   */
  dispatchNext(now: number, sagaId: string): DispatchOutcome<P> {
    if (this.held) return { kind: 'idle', reason: 'held' };
    if (this.active.size >= this.limits.maxActiveExecutions) return { kind: 'idle', reason: 'at_capacity' };
    const entry = this.pending.takeNext();
    if (!entry) return { kind: 'idle', reason: 'empty' };
    this.adjustUsage(entry.userId, -1, 0);
    if (this.isStale(entry, now)) {
      this.recent.add(entry.executionId);
      return { kind: 'expired', execution: toQueued(entry) };
    }
    const execution: ActiveExecution<P> = { ...toQueued(entry), dispatchedAt: now, sagaId };
    this.active.set(entry.executionId, execution);
    this.adjustUsage(entry.userId, 0, 1);
    return { kind: 'dispatched', execution };
  }

  /** Frees an execution wherever it is (finished, failed, cancelled); unknown ids change nothing. */
  release(executionId: string): ReleaseOutcome<P> {
    const active = this.active.get(executionId);
    if (active) {
      this.active.delete(executionId);
      this.adjustUsage(active.userId, 0, -1);
      this.recent.add(executionId);
      return { kind: 'was_active', execution: active };
    }
    const entry = this.pending.remove(executionId);
    if (entry) {
      this.adjustUsage(entry.userId, -1, 0);
      this.recent.add(executionId);
      return { kind: 'was_pending', execution: toQueued(entry) };
    }
    return { kind: 'unknown' };
  }

  reprioritize(executionId: string, priority: Priority): ReprioritizeOutcome {
    if (this.active.has(executionId)) return { kind: 'not_pending', state: 'active' };
    const position = this.pending.reprioritize(executionId, priority);
    return position < 0 ? { kind: 'unknown' } : { kind: 'moved', position, priority };
  }

  setHeld(held: boolean): void {
    this.held = held;
  }

  snapshot(): QueueSnapshot {
    return {
      pendingCount: this.pending.size,
      activeCount: this.active.size,
      held: this.held,
      byPriority: this.pending.countsByPriority(),
      oldestEnqueuedAt: this.pending.oldest()?.enqueuedAt ?? null,
    };
  }

  lookup(executionId: string): ExecutionLookup<P> | undefined {
    const active = this.active.get(executionId);
    if (active) return { state: 'active', execution: active };
    const entry = this.pending.get(executionId);
    return entry ? { state: 'pending', execution: toQueued(entry), position: this.pending.rank(executionId) } : undefined;
  }

  userUsage(userId: string): UserUsage {
    const usage = this.usage.get(userId);
    return usage ? { ...usage } : { pending: 0, active: 0 };
  }

  /** Pending executions in dispatch order, from position `offset`. */
  *pendingInOrder(offset = 0): IterableIterator<QueuedExecution<P> & { position: number }> {
    let position = offset;
    for (const entry of this.pending.inOrder(offset)) yield { ...toQueued(entry), position: position++ };
  }

  activeExecutions(): IterableIterator<ActiveExecution<P>> {
    return this.active.values();
  }

  private sweepStale(now: number): QueuedExecution<P>[] {
    const removed = this.pending.removeEnqueuedBefore(now - this.limits.staleTimeoutSeconds * 1000);
    for (const entry of removed) {
      this.adjustUsage(entry.userId, -1, 0);
      this.recent.add(entry.executionId);
    }
    return removed.map(toQueued);
  }

  private isStale(entry: PendingEntry<P>, now: number): boolean {
    return now - entry.enqueuedAt > this.limits.staleTimeoutSeconds * 1000;
  }

  private usageOf(userId: string): UserUsage {
    return this.usage.get(userId) ?? { pending: 0, active: 0 };
  }

  private adjustUsage(userId: string, pendingDelta: number, activeDelta: number): void {
    const usage = this.usage.get(userId) ?? { pending: 0, active: 0 };
    usage.pending += pendingDelta;
    usage.active += activeDelta;
    if (usage.pending === 0 && usage.active === 0) this.usage.delete(userId);
    else this.usage.set(userId, usage);
  }
}

function toQueued<P>(entry: PendingEntry<P>): QueuedExecution<P> {
  return {
    executionId: entry.executionId,
    userId: entry.userId,
    priority: entry.priority,
    enqueuedAt: entry.enqueuedAt,
    payload: entry.payload,
  };
}
