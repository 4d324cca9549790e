import { PRIORITIES, priorityRank, type Priority } from '../../contracts/priority.constants.js';
import { ArrivalLog } from './arrival-log.js';
import { DueIndex } from './due-index.js';
import { ExecutionIdIndex } from './execution-id-index.js';
import { FairShare, type QueueOrder } from './fair-share.js';
import { OrderStatisticTree, type OrderedItems } from './order-statistic-tree.js';
import { TurnBuckets } from './turn-buckets.js';

/**
 * One queued execution. `payload` is whatever the store needs to dispatch it later (the
 * original request); the queue never looks inside. Read-only outside the queue, which changes
 * the level, priority and sort key of an entry it moves (out of its tree and back in).
 */
export interface PendingEntry<P = unknown> {
  readonly executionId: string;
  readonly userId: string;
  /** The priority asked for (or set by an operator). */
  readonly priority: Priority;
  /** The level it waits in: its priority, or higher once aging lifted it. */
  readonly level: Priority;
  /** Its place within the level: the arrival sequence (fifo) or its start tag (fair). */
  readonly sortKey: number;
  /**
   * Arrival order, unique across the queue; also the tie-breaker among equal sort keys (the
   * Redis store puts it first in the member, fixed-width, and Redis orders equal scores by member).
   */
  readonly sequence: number;
  readonly enqueuedAt: number;
  readonly payload: P;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An entry as the queue keeps it: with its id's hash, so the id index drops it without reading the id. */
type StoredEntry<P> = PendingEntry<P> & { readonly idHash: number };

export type PriorityCounts = Record<Priority, number>;

/** A new entry and its queue position at the moment it was placed (read on the way down the tree, not looked up again). */
export interface Enqueued<P> {
  readonly entry: PendingEntry<P>;
  readonly position: number;
}

export function emptyPriorityCounts(): PriorityCounts {
  return { critical: 0, high: 0, normal: 0, low: 0, background: 0 };
}

/** What the coordinator knows about the rest of the system when an execution arrives (fair order's clocks use it; see FairShare). */
export interface EnqueueContext {
  /** Nothing is pending, running or held: the fair clocks may start over (FairShare.restart). */
  queueIdle?: boolean;
  /** Its user has nothing pending and nothing running. */
  userIdle?: boolean;
  /** A slot is free (fewer running than the limit, dispatching not held). */
  slotFree?: boolean;
}

/** How the queue orders entries inside a level, and how they age. */
export interface QueuePolicy {
  order: QueueOrder;
  /** Waiting this long lifts an entry one level, up to `high`; 0 turns aging off. */
  agingMs: number;
  defaultUserWeight: number;
}

export const FIFO_POLICY: QueuePolicy = { order: 'fifo', agingMs: 0, defaultUserWeight: 1 };

/** Aging never lifts an entry above this level: `critical` stays for what was asked as critical. */
export const HIGHEST_AGED_LEVEL = priorityRank('high');

/** Most entries one scheduling run lifts, so a backlog of due promotions never makes one run long. */
export const MAX_PROMOTIONS_PER_RUN = 256;

/**
 * The pending executions in dispatch order: by level, then by sort key, then by arrival.
 * Every operation is O(log n): enqueue, take next, remove by id, move to another level, rank.
 * The rank is the true 0-based queue position, not a heap index.
 *
 * Each level is its own ordered index with ranks: a position is the sizes of the higher levels
 * plus the rank within the level. Under fifo the sort key is the arrival sequence and the level
 * a B+ tree (OrderStatisticTree) that every arrival joins at its end; a level's first entry is
 * also its oldest and the oldest overall is the earliest of the five heads. Under fair the key
 * is a start tag (see FairShare), the level is grouped into rounds of one turn (TurnBuckets),
 * and an arrival log finds the oldest.
 */
export class PendingQueue<P = unknown> {
  private readonly levels: OrderedItems<StoredEntry<P>>[];
  private readonly byId = new ExecutionIdIndex<StoredEntry<P>>();
  private readonly fairShare: FairShare;
  private readonly arrivals: ArrivalLog<StoredEntry<P>> | undefined;
  /** Entries that will age, by when they next move up a level. */
  private readonly aging = new DueIndex();
  private nextSequence = 0;

  constructor(private readonly policy: QueuePolicy = FIFO_POLICY) {
    // Fair order places new entries inside a level, where rounds of one turn serve them better than a tree (see TurnBuckets).
    this.levels = PRIORITIES.map(() => (policy.order === 'fair' ? new TurnBuckets<StoredEntry<P>>() : new OrderStatisticTree<StoredEntry<P>>()));
    this.fairShare = new FairShare(policy.defaultUserWeight);
    this.arrivals = policy.order === 'fair' ? new ArrivalLog() : undefined;
  }

  get size(): number {
    return this.byId.size;
  }

  get weights(): FairShare {
    return this.fairShare;
  }

  has(executionId: string): boolean {
    return this.byId.has(executionId);
  }

  get(executionId: string): PendingEntry<P> | undefined {
    return this.byId.get(executionId);
  }

  countsByPriority(): PriorityCounts {
    const counts = emptyPriorityCounts();
    PRIORITIES.forEach((priority, level) => (counts[priority] = this.levels[level]!.size));
    return counts;
  }

  /** Adds an execution behind what its order puts before it; returns its entry and position. */
  enqueue(executionId: string, userId: string, priority: Priority, enqueuedAt: number, payload: P, context: EnqueueContext = {}): Enqueued<P> {
    if (context.queueIdle && this.byId.size === 0) this.fairShare.restart();
    const sequence = this.nextSequence++;
    const level = priorityRank(priority);
    const entry: StoredEntry<P> = {
      executionId,
      idHash: this.byId.hashOf(executionId),
      userId,
      priority,
      level: priority,
      sortKey: this.sortKeyFor(level, userId, sequence, context),
      sequence,
      enqueuedAt,
      payload,
    };
    const position = this.sizeAbove(level) + this.place(entry);
    this.byId.set(entry);
    this.arrivals?.add(entry);
    this.scheduleAging(entry, enqueuedAt);
    return { entry, position };
  }

  peek(): PendingEntry<P> | undefined {
    for (const level of this.levels) if (level.size > 0) return level.first();
    return undefined;
  }

  /** Removes and returns the next execution to run. */
  takeNext(): PendingEntry<P> | undefined {
    for (let level = 0; level < this.levels.length; level++) {
      const next = this.levels[level]!.shift();
      if (!next) continue;
      this.forget(next);
      if (this.policy.order === 'fair') this.fairShare.served(level, next.sortKey);
      return next;
    }
    return undefined;
  }

  remove(executionId: string): PendingEntry<P> | undefined {
    const entry = this.byId.get(executionId);
    if (!entry) return undefined;
    this.unplace(entry);
    this.forget(entry);
    return entry;
  }

  /**
   * Under fair order, whether executions of other users that arrive later may still be placed
   * ahead of this one (its start tag is ahead of its level's virtual time); never under fifo.
   */
  canBePassed(entry: PendingEntry<P>): boolean {
    return this.policy.order === 'fair' && this.fairShare.leadOf(priorityRank(entry.level), entry.sortKey) > 0;
  }

  /** 0-based position of an execution in dispatch order, or -1 if it is not pending. */
  rank(executionId: string): number {
    const entry = this.byId.get(executionId);
    if (!entry) return -1;
    const level = priorityRank(entry.level);
    return this.sizeAbove(level) + this.levels[level]!.rank(entry.sortKey, entry.sequence);
  }

  /**
   * Sets an execution's priority (an operator's decision) and moves it to that level: under
   * fifo by its arrival there, under fair as its user's next turn there. Its aging starts over
   * at `now` (or from when it was enqueued). Returns its new rank, or -1 if it is not pending.
   */
  reprioritize(executionId: string, priority: Priority, now?: number): number {
    const entry = this.byId.get(executionId);
    if (!entry) return -1;
    if (entry.priority === priority && entry.level === priority) return this.rank(executionId);
    const rank = this.move(entry, priority, priority);
    if (this.policy.agingMs > 0) this.aging.delete(executionId);
    this.scheduleAging(entry, now ?? entry.enqueuedAt);
    return rank;
  }

  /**
   * Lifts every entry whose wait reached its next aging step by `now` one level (at most
   * MAX_PROMOTIONS_PER_RUN), earliest due first, ties by execution id. O(log n) each; nothing
   * is scanned.
   */
  promoteDue(now: number): number {
    let promoted = 0;
    for (let due = this.aging.firstDueBefore(now + 1); due && promoted < MAX_PROMOTIONS_PER_RUN; due = this.aging.firstDueBefore(now + 1)) {
      const entry = this.byId.get(due.executionId)!;
      this.move(entry, entry.priority, PRIORITIES[priorityRank(entry.level) - 1]!);
      if (priorityRank(entry.level) > HIGHEST_AGED_LEVEL) this.aging.set(entry.executionId, due.at + this.policy.agingMs, false);
      else this.aging.delete(entry.executionId);
      promoted++;
    }
    return promoted;
  }

  /** Entries in dispatch order from position `fromRank`. */
  *inOrder(fromRank = 0): IterableIterator<PendingEntry<P>> {
    let skip = Math.max(0, fromRank);
    for (const level of this.levels) {
      if (skip >= level.size) {
        skip -= level.size;
        continue;
      }
      yield* level.valuesFrom(skip);
      skip = 0;
    }
  }

  /** Entries waiting at one level in order, from position `fromRank` within that level. */
  inLevel(priority: Priority, fromRank = 0): IterableIterator<PendingEntry<P>> {
    return this.levels[priorityRank(priority)]!.valuesFrom(fromRank);
  }

  /** The longest-waiting entry (earliest arrival), whatever its level. */
  oldest(): PendingEntry<P> | undefined {
    if (this.arrivals) return this.arrivals.first();
    let oldest: PendingEntry<P> | undefined;
    for (const level of this.levels) {
      const head = level.first();
      if (head && (!oldest || head.sequence < oldest.sequence)) oldest = head;
    }
    return oldest;
  }

  /** Removes and returns every entry enqueued before `cutoff`, oldest first. */
  removeEnqueuedBefore(cutoff: number): PendingEntry<P>[] {
    const removed: PendingEntry<P>[] = [];
    for (let oldest = this.oldest(); oldest && oldest.enqueuedAt < cutoff; oldest = this.oldest()) {
      removed.push(this.remove(oldest.executionId)!);
    }
    return removed;
  }

  /** Queue position of the first entry waiting at `priority`'s level. */
  levelStart(priority: Priority): number {
    return this.sizeAbove(priorityRank(priority));
  }

  /** A move (operator or aging) is never an arrival: neither of the context's rules applies to it. */
  private sortKeyFor(level: number, userId: string, sequence: number, context: EnqueueContext = {}): number {
    if (this.policy.order !== 'fair') return sequence;
    const settled = context.slotFree === true && this.levels[level]!.size === 0;
    return this.fairShare.nextTag(level, userId, settled, context.userIdle === true);
  }

  /**
   * Gives `entry` this priority and level, keyed as its order wants there, in place; returns its
   * queue position. Taken out of its tree before its key changes: the trees copy keys, never
   * read them back from items.
   */
  private move(entry: StoredEntry<P>, priority: Priority, level: Priority): number {
    this.unplace(entry);
    const levelRank = priorityRank(level);
    const moved = entry as Mutable<StoredEntry<P>>;
    moved.priority = priority;
    moved.level = level;
    moved.sortKey = this.sortKeyFor(levelRank, entry.userId, entry.sequence);
    return this.sizeAbove(levelRank) + this.place(moved);
  }

  /** Drops what the queue keeps of an entry besides its tree. */
  private forget(entry: StoredEntry<P>): void {
    this.byId.delete(entry);
    if (this.policy.agingMs > 0) this.aging.delete(entry.executionId);
    this.arrivals?.departed(entry);
  }

  /** Puts an entry in its level's tree; returns its rank within the level. */
  private place(entry: StoredEntry<P>): number {
    return this.levels[priorityRank(entry.level)]!.insert(entry);
  }

  /** Takes an entry out of its level's tree (the id map is the caller's business: a move keeps it). */
  private unplace(entry: StoredEntry<P>): void {
    this.levels[priorityRank(entry.level)]!.delete(entry.sortKey, entry.sequence);
  }

  /** Registers when `entry` next moves up a level, counting from `from`, if it can still move. */
  private scheduleAging(entry: PendingEntry<P>, from: number): void {
    if (this.policy.agingMs > 0 && priorityRank(entry.level) > HIGHEST_AGED_LEVEL) this.aging.set(entry.executionId, from + this.policy.agingMs, false);
  }

  /** Number of entries in levels above `level`: where that level starts in queue order. */
  private sizeAbove(level: number): number {
    let total = 0;
    for (let above = 0; above < level; above++) total += this.levels[above]!.size;
    return total;
  }
}

