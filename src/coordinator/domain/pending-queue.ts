import { PRIORITIES, priorityRank, type Priority } from '../../contracts/priority.constants.js';
import { OrderStatisticTree } from './order-statistic-tree.js';

/**
 * One queued execution. `payload` is whatever the store needs to dispatch it later (the
 * original request); the queue never looks inside.
 */
export interface PendingEntry<P = unknown> {
  readonly executionId: string;
  readonly userId: string;
  priority: Priority;
  /**
   * Arrival order, unique across the queue. It orders entries within their level and is kept
   * across reprioritisation, so FIFO holds within the new level.
   */
  readonly sortKey: number;
  readonly enqueuedAt: number;
  readonly payload: P;
}

export type PriorityCounts = Record<Priority, number>;

export function emptyPriorityCounts(): PriorityCounts {
  return { critical: 0, high: 0, normal: 0, low: 0, background: 0 };
}

/**
 * The pending executions, ordered by (priority, arrival). Every operation is O(log n):
 * enqueue, take next, remove by id, reprioritise and rank. The rank is the true 0-based queue
 * position, not a heap index.
 *
 * Each priority level is its own order-statistic tree keyed by arrival sequence: a position is
 * the sizes of the higher levels plus the rank within the level. Splitting by level keeps each
 * tree shallower than one tree over everything, and the keys small integers. Within a level the
 * first entry is also the oldest, so the longest-waiting entry overall is the earliest of the
 * five level heads: the stale sweep needs no second index.
 */
export class PendingQueue<P = unknown> {
  private readonly levels = PRIORITIES.map(() => new OrderStatisticTree<PendingEntry<P>>());
  private readonly byId = new Map<string, PendingEntry<P>>();
  private nextSequence = 0;

  get size(): number {
    return this.byId.size;
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

  /** Adds an execution at the back of its priority level and returns its entry. */
  enqueue(executionId: string, userId: string, priority: Priority, enqueuedAt: number, payload: P): PendingEntry<P> {
    const entry: PendingEntry<P> = { executionId, userId, priority, sortKey: this.nextSequence++, enqueuedAt, payload };
    this.levels[priorityRank(priority)]!.insert(entry);
    this.byId.set(executionId, entry);
    return entry;
  }

  peek(): PendingEntry<P> | undefined {
    for (const level of this.levels) if (level.size > 0) return level.first();
    return undefined;
  }

  /** Removes and returns the next execution to run. */
  takeNext(): PendingEntry<P> | undefined {
    const next = this.peek();
    if (next) this.remove(next.executionId);
    return next;
  }

  remove(executionId: string): PendingEntry<P> | undefined {
    const entry = this.byId.get(executionId);
    if (!entry) return undefined;
    this.levels[priorityRank(entry.priority)]!.delete(entry.sortKey);
    this.byId.delete(executionId);
    return entry;
  }

  /** 0-based position of an execution in dispatch order, or -1 if it is not pending. */
  rank(executionId: string): number {
    const entry = this.byId.get(executionId);
    if (!entry) return -1;
    const level = priorityRank(entry.priority);
    return this.sizeAbove(level) + this.levels[level]!.rank(entry.sortKey);
  }

  /** Moves an execution to another level, keeping its arrival order there. Returns its new rank. */
  reprioritize(executionId: string, priority: Priority): number {
    const entry = this.byId.get(executionId);
    if (!entry) return -1;
    if (entry.priority === priority) return this.rank(executionId);
    this.levels[priorityRank(entry.priority)]!.delete(entry.sortKey);
    entry.priority = priority;
    const level = priorityRank(priority);
    return this.sizeAbove(level) + this.levels[level]!.insert(entry);
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

  /** Entries of one level in order, from position `fromRank` within that level. */
  inLevel(priority: Priority, fromRank = 0): IterableIterator<PendingEntry<P>> {
    return this.levels[priorityRank(priority)]!.valuesFrom(fromRank);
  }

  /** The longest-waiting entry, whatever its priority: the earliest of the level heads. */
  oldest(): PendingEntry<P> | undefined {
    let oldest: PendingEntry<P> | undefined;
    for (const level of this.levels) {
      const head = level.first();
      if (head && (!oldest || head.sortKey < oldest.sortKey)) oldest = head;
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

  /** Queue position of the first entry of `priority`'s level. */
  levelStart(priority: Priority): number {
    return this.sizeAbove(priorityRank(priority));
  }

  /** Number of entries in levels above `level`: where that level starts in queue order. */
  private sizeAbove(level: number): number {
    let total = 0;
    for (let above = 0; above < level; above++) total += this.levels[above]!.size;
    return total;
  }
}
