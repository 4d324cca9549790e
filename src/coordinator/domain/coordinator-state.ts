import type { Priority } from '../../contracts/priority.constants.js';
import type {
  ActiveExecution,
  ActiveSummary,
  AdmissionRefusal,
  DispatchStep,
  DuplicateOutcome,
  ScheduleResult,
  ExecutionSummary,
  AdmissionOutcome,
  DispatchOutcome,
  QueuedExecution,
  ReleaseOutcome,
  ReprioritizeOutcome,
} from './coordinator-outcomes.js';
import { MAX_REPAIR_STEPS_PER_RUN } from './coordinator-outcomes.js';
import { PendingQueue, type PendingEntry, type PriorityCounts, type QueuePolicy } from './pending-queue.js';
import type { QueueLimits } from './queue-limits.js';
import { RecentIds } from './recent-ids.js';
import { DueIndex } from './due-index.js';

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

/** What the state keeps per user: the counts and which executions are pending. */
interface UserRecord extends UserUsage {
  /**
   * The user's pending ids, and possibly some that left the queue by being dispatched: a
   * dispatch does not touch this set (a cache miss saved on the hottest path); readers check
   * each id is still pending, and adding prunes the set once it is twice as large as needed.
   */
  pendingIds: Set<string>;
}

/** A point-in-time summary of the queue. */
export interface QueueSnapshot {
  pendingCount: number;
  activeCount: number;
  held: boolean;
  byPriority: PriorityCounts;
  oldestEnqueuedAt: number | null;
}

/** One page of a listing, with the total the listing has without paging. */
export interface Page<T> {
  items: T[];
  total: number;
}

export interface PendingFilter {
  priority?: Priority;
  userId?: string;
}

/**
 * A pending execution in a listing, with its true queue position and, once aging lifted it above
 * its priority, the level it waits in; no request: pages stay small.
 */
export type PositionedExecution = ExecutionSummary & { position: number; effectivePriority?: Priority };

export interface UserUsageRow extends UserUsage {
  userId: string;
}

export type ExecutionLookup<P> =
  | { state: 'pending'; execution: QueuedExecution<P>; position: number; effectivePriority?: Priority }
  | { state: 'active'; execution: ActiveExecution<P> };

/**
 * The coordinator's whole state and every rule of docs/design.md ("The rulebook"), as plain synchronous code.
 * Each method is one atomic state change; the caller publishes the events the outcome calls
 * for. Times are passed in (epoch milliseconds) so the rules never read a clock themselves.
 */
export class CoordinatorState<P = unknown> {
  private readonly pending: PendingQueue<P>;
  private readonly active = new Map<string, ActiveExecution<P>>();
  /**
   * Per user with anything pending or active: the counts, and the pending ids, so a user's page
   * costs O(k log k) with k ≤ the per-user limit. One record, so a dispatch finds both with one
   * lookup.
   */
  private readonly users = new Map<string, UserRecord>();
  /** Finished, expired or refused ids; refusals noted with their reason. */
  private readonly recent: RecentIds<AdmissionRefusal | 'done'>;
  /** When each active execution is next looked at: its lease end, or its grace end while unconfirmed. */
  private readonly due = new DueIndex();
  private held = false;

  constructor(private readonly limits: QueueLimits) {
    this.recent = new RecentIds(limits.recentIdsCapacity);
    this.pending = new PendingQueue<P>(queuePolicyOf(limits));
  }

  /** How many executions are waiting. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Duplicate check, queue-size check (after a stale sweep), per-user check, then enqueue. */
  admit(request: AdmissionRequest<P>, now: number): AdmissionOutcome<P> {
    const { executionId, userId } = request;
    const duplicate = this.duplicateOf(executionId);
    if (duplicate) return duplicate;
    let expired: QueuedExecution<P>[] = [];
    if (this.pending.size >= this.limits.maxQueueSize) {
      expired = this.sweepStale(now);
      if (this.pending.size >= this.limits.maxQueueSize) {
        this.recent.add(executionId, 'queue_full');
        return { kind: 'queue_full', maxQueueSize: this.limits.maxQueueSize, expired };
      }
    }
    const record = this.users.get(userId);
    const current = record ? record.pending + record.active : 0;
    if (current >= this.limits.maxExecutionsPerUser) {
      this.recent.add(executionId, 'user_limit');
      return { kind: 'user_limit', limit: this.limits.maxExecutionsPerUser, current, expired };
    }
    const idle = this.pending.size === 0 && this.active.size === 0 && !this.held;
    const slotFree = !this.held && this.active.size < this.limits.maxActiveExecutions;
    const { entry, position } = this.pending.enqueue(executionId, userId, request.priority, now, request.payload, { queueIdle: idle, userIdle: current === 0, slotFree });
    this.addPending(record, userId, executionId);
    return { kind: 'accepted', position, passable: this.pending.canBePassed(entry), expired };
  }

  /**
   * One scheduling step: if dispatching is allowed and a slot is free, takes the next pending
   * execution and either marks it active under `sagaId` or, when it waited past the stale
   * timeout, drops it.
   */
  dispatchNext(now: number, sagaId: string): DispatchOutcome<P> {
    const repair = this.repairDue(now);
    if (repair) return repair;
    if (this.held) return { kind: 'idle', reason: 'held' };
    if (this.active.size >= this.limits.maxActiveExecutions) return { kind: 'idle', reason: 'at_capacity' };
    const entry = this.pending.takeNext();
    if (!entry) return { kind: 'idle', reason: 'empty' };
    if (this.isStale(entry, now)) {
      this.dropPending(entry.userId, entry.executionId);
      this.recent.add(entry.executionId, 'done');
      return { kind: 'expired', execution: toQueued(entry) };
    }
    // The hot path of every dispatch: one lookup of the user's record, changed in place (it
    // stays, with the execution now active), and the active record built in one literal.
    const record = this.users.get(entry.userId)!;
    record.pending--;
    record.active++;
    const execution: ActiveExecution<P> = {
      executionId: entry.executionId,
      userId: entry.userId,
      priority: entry.priority,
      enqueuedAt: entry.enqueuedAt,
      payload: entry.payload,
      dispatchedAt: now,
      sagaId,
    };
    this.active.set(entry.executionId, execution);
    this.due.set(entry.executionId, now + Math.min(this.graceMs, this.leaseMs), true);
    return { kind: 'dispatched', execution };
  }

  /**
   * Scheduling steps until idle, using one of `sagaIds` per dispatch. Stops early, with
   * `idle: null`, when the saga ids or the repair-step budget run out.
   */
  schedule(now: number, sagaIds: readonly string[]): ScheduleResult<P> {
    if (sagaIds.length > 0) this.pending.promoteDue(now);
    const steps: DispatchStep<P>[] = [];
    let used = 0;
    let repairs = 0;
    while (used < sagaIds.length && repairs < MAX_REPAIR_STEPS_PER_RUN) {
      const outcome = this.dispatchNext(now, sagaIds[used]!);
      if (outcome.kind === 'idle') return { steps, idle: outcome.reason };
      steps.push(outcome);
      if (outcome.kind === 'dispatched') used++;
      else repairs++;
    }
    return { steps, idle: null };
  }

  /**
   * Marks dispatches whose `create_pod_command` was published; they will not be handed out
   * again, and keep their slot under a lease counted from the dispatch.
   */
  confirmDispatched(executionIds: readonly string[]): void {
    for (const id of executionIds) {
      const execution = this.active.get(id);
      if (execution && this.due.isUnconfirmed(id)) this.due.set(id, execution.dispatchedAt + this.leaseMs, false);
    }
  }

  /**
   * A sign of life from an active execution's pod: its lease starts over, and its dispatch
   * counts as confirmed (the pod exists, so the command arrived). False if it is not active.
   */
  renewLease(executionId: string, now: number): boolean {
    if (!this.active.has(executionId)) return false;
    this.due.set(executionId, now + this.leaseMs, false);
    return true;
  }

  /** Frees an execution wherever it is (finished, failed, cancelled); unknown ids change nothing. */
  release(executionId: string): ReleaseOutcome {
    const active = this.active.get(executionId);
    if (active) {
      this.freeSlot(active);
      return { kind: 'was_active', execution: active };
    }
    const entry = this.pending.remove(executionId);
    if (entry) {
      this.dropPending(entry.userId, executionId);
      this.recent.add(executionId, 'done');
      return { kind: 'was_pending', execution: toQueued(entry) };
    }
    return { kind: 'unknown' };
  }

  /**
   * Sets a pending execution's priority; its aging, if any, starts over at `now` (without
   * `now`, it counts from when the execution was enqueued).
   */
  reprioritize(executionId: string, priority: Priority, now?: number): ReprioritizeOutcome {
    if (this.active.has(executionId)) return { kind: 'not_pending', state: 'active' };
    const position = this.pending.reprioritize(executionId, priority, now);
    return position < 0 ? { kind: 'unknown' } : { kind: 'moved', position, priority };
  }

  setHeld(held: boolean): void {
    this.held = held;
  }

  /** A user's weight under fair order; applies from that user's next turn on. */
  setUserWeight(userId: string, weight: number): void {
    this.pending.weights.setWeight(userId, weight);
  }

  userWeight(userId: string): number {
    return this.pending.weights.weightOf(userId);
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
    return entry ? { state: 'pending', execution: toQueued(entry), position: this.pending.rank(executionId), effectivePriority: liftedLevel(entry) } : undefined;
  }

  userUsage(userId: string): UserUsage {
    const record = this.users.get(userId);
    return record ? { pending: record.pending, active: record.active } : { pending: 0, active: 0 };
  }

  /**
   * Pending executions in queue order, optionally of one priority and/or one user, with their
   * true positions. Unfiltered and by-priority pages start by rank (O(log n + limit)); a user's
   * page sorts that user's entries, which the per-user limit keeps few.
   */
  pendingPage(filter: PendingFilter, offset: number, limit: number): Page<PositionedExecution> {
    if (filter.userId !== undefined) return this.userPendingPage(filter.userId, filter.priority, offset, limit);
    if (filter.priority === undefined) {
      return { items: this.take(this.pending.inOrder(offset), limit, offset), total: this.pending.size };
    }
    return {
      items: this.take(this.pending.inLevel(filter.priority, offset), limit, this.pending.levelStart(filter.priority) + offset),
      total: this.pending.countsByPriority()[filter.priority],
    };
  }

  /** Active executions in dispatch order. */
  activePage(offset: number, limit: number): Page<ActiveSummary> {
    const items: ActiveSummary[] = [];
    let index = 0;
    for (const { payload: _payload, ...summary } of this.active.values()) {
      if (index++ < offset) continue;
      if (items.length >= limit) break;
      items.push(summary);
    }
    return { items, total: this.active.size };
  }

  /** Users with pending or active executions, largest total first (ties by user id). */
  usersPage(offset: number, limit: number): Page<UserUsageRow> {
    const rows = [...this.users.entries()].map(([userId, { pending, active }]) => ({ userId, pending, active }));
    rows.sort((a, b) => b.pending + b.active - (a.pending + a.active) || (a.userId < b.userId ? -1 : 1));
    return { items: rows.slice(offset, offset + limit), total: rows.length };
  }

  private userPendingPage(userId: string, priority: Priority | undefined, offset: number, limit: number): Page<PositionedExecution> {
    const entries = [...(this.users.get(userId)?.pendingIds ?? [])]
      .flatMap((id) => {
        const entry = this.pending.get(id);
        return entry?.userId === userId ? [entry] : [];
      })
      .filter((entry) => priority === undefined || entry.level === priority)
      .map((entry) => ({ entry, position: this.pending.rank(entry.executionId) }))
      .sort((a, b) => a.position - b.position);
    const items = entries.slice(offset, offset + limit).map(({ entry, position }) => ({ ...toSummary(entry), position, effectivePriority: liftedLevel(entry) }));
    return { items, total: entries.length };
  }

  private take(entries: IterableIterator<PendingEntry<P>>, limit: number, firstPosition: number): PositionedExecution[] {
    const items: PositionedExecution[] = [];
    for (const entry of entries) {
      if (items.length >= limit) break;
      items.push({ ...toSummary(entry), position: firstPosition + items.length, effectivePriority: liftedLevel(entry) });
    }
    return items;
  }

  private duplicateOf(executionId: string): DuplicateOutcome | undefined {
    const pending = this.pending.get(executionId);
    if (pending) return { kind: 'duplicate', state: 'pending', position: this.pending.rank(executionId), priority: pending.priority };
    if (this.active.has(executionId)) return { kind: 'duplicate', state: 'active' };
    const note = this.recent.noteOf(executionId);
    if (note === undefined) return undefined;
    return note === 'done' ? { kind: 'duplicate', state: 'finished' } : { kind: 'duplicate', state: 'refused', refusal: note };
  }

  private freeSlot(execution: ActiveExecution<P>): void {
    this.active.delete(execution.executionId);
    this.due.delete(execution.executionId);
    const record = this.users.get(execution.userId)!;
    record.active--;
    this.forgetIfIdle(execution.userId, record);
    this.recent.add(execution.executionId, 'done');
  }

  /**
   * The first due active execution, repaired: a dispatch still unconfirmed after its grace
   * period is handed out again (same saga) while its lease, counted from the dispatch, lasts;
   * otherwise the lease ran out and the slot is reclaimed. Undefined if nothing is due.
   */
  private repairDue(now: number): DispatchOutcome<P> | undefined {
    const due = this.due.firstDueBefore(now);
    if (!due) return undefined;
    const execution = this.active.get(due.executionId)!;
    const leaseEnd = execution.dispatchedAt + this.leaseMs;
    if (due.unconfirmed && leaseEnd >= now) {
      this.due.set(due.executionId, Math.min(now + this.graceMs, leaseEnd), true);
      return { kind: 'redispatch', execution };
    }
    this.freeSlot(execution);
    return { kind: 'lease_expired', execution };
  }

  private get leaseMs(): number {
    return this.limits.leaseSeconds * 1000;
  }

  private get graceMs(): number {
    return this.limits.dispatchGraceSeconds * 1000;
  }

  private addPending(record: UserRecord | undefined, userId: string, executionId: string): void {
    if (!record) this.users.set(userId, (record = { pending: 0, active: 0, pendingIds: new Set() }));
    record.pending++;
    if (record.pendingIds.size >= 2 * record.pending + 16) {
      for (const id of record.pendingIds) if (!this.pending.has(id)) record.pendingIds.delete(id);
    }
    record.pendingIds.add(executionId);
  }

  /** A pending execution left without running (removed, expired). */
  private dropPending(userId: string, executionId: string): void {
    const record = this.users.get(userId)!;
    record.pending--;
    record.pendingIds.delete(executionId);
    this.forgetIfIdle(userId, record);
  }

  private forgetIfIdle(userId: string, record: UserRecord): void {
    if (record.pending === 0 && record.active === 0) this.users.delete(userId);
  }

  private sweepStale(now: number): QueuedExecution<P>[] {
    const removed = this.pending.removeEnqueuedBefore(now - this.limits.staleTimeoutSeconds * 1000);
    for (const entry of removed) {
      this.dropPending(entry.userId, entry.executionId);
      this.recent.add(entry.executionId, 'done');
    }
    return removed.map(toQueued);
  }

  private isStale(entry: PendingEntry<P>, now: number): boolean {
    return now - entry.enqueuedAt > this.limits.staleTimeoutSeconds * 1000;
  }
}

/** The level an entry waits in when aging lifted it above its priority; undefined otherwise. */
function liftedLevel(entry: PendingEntry<unknown>): Priority | undefined {
  return entry.level === entry.priority ? undefined : entry.level;
}

function queuePolicyOf(limits: QueueLimits): QueuePolicy {
  return { order: limits.queueOrder ?? 'fifo', agingMs: (limits.agingSeconds ?? 0) * 1000, defaultUserWeight: limits.defaultUserWeight ?? 1 };
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

function toSummary<P>(entry: PendingEntry<P>): ExecutionSummary {
  return { executionId: entry.executionId, userId: entry.userId, priority: entry.priority, enqueuedAt: entry.enqueuedAt };
}
