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
  /** Arrival order; kept across reprioritisation so FIFO holds within the new level. */
  readonly sequence: number;
  readonly enqueuedAt: number;
  /** Order in the queue: priority first, then arrival. */
  sortKey: number;
  readonly payload: P;
}

/** Sequence numbers stay below 2^45 so that rank × 2^45 + sequence is an exact double. */
const SEQUENCE_SPAN = 2 ** 45;

export function queueSortKey(priority: Priority, sequence: number): number {
  return priorityRank(priority) * SEQUENCE_SPAN + sequence;
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
 * Within a level entries are in arrival order, so the longest-waiting entry overall is the
 * earliest of the five level heads; each head is found by rank in O(log n), and no second,
 * arrival-ordered index is needed for the stale sweep.
 */
export class PendingQueue<P = unknown> {
  private readonly order = new OrderStatisticTree<PendingEntry<P>>();
  private readonly byId = new Map<string, PendingEntry<P>>();
  private readonly counts = emptyPriorityCounts();
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
    return { ...this.counts };
  }

  /** Adds an execution at the back of its priority level and returns its entry. */
  enqueue(executionId: string, userId: string, priority: Priority, enqueuedAt: number, payload: P): PendingEntry<P> {
    const sequence = this.nextSequence++;
    const entry: PendingEntry<P> = {
      executionId,
      userId,
      priority,
      sequence,
      enqueuedAt,
      sortKey: queueSortKey(priority, sequence),
      payload,
    };
    this.order.insert(entry);
    this.byId.set(executionId, entry);
    this.counts[priority]++;
    return entry;
  }

  peek(): PendingEntry<P> | undefined {
    return this.order.first();
  }

  /** Removes and returns the next execution to run. */
  takeNext(): PendingEntry<P> | undefined {
    const next = this.order.first();
    if (next) this.remove(next.executionId);
    return next;
  }

  remove(executionId: string): PendingEntry<P> | undefined {
    const entry = this.byId.get(executionId);
    if (!entry) return undefined;
    this.order.delete(entry.sortKey);
    this.byId.delete(executionId);
    this.counts[entry.priority]--;
    return entry;
  }

  /** 0-based position of an execution in dispatch order, or -1 if it is not pending. */
  rank(executionId: string): number {
    const entry = this.byId.get(executionId);
    return entry ? this.order.rank(entry.sortKey) : -1;
  }

  /** Moves an execution to another level, keeping its arrival order there. Returns its new rank. */
  reprioritize(executionId: string, priority: Priority): number {
    const entry = this.byId.get(executionId);
    if (!entry) return -1;
    if (entry.priority === priority) return this.order.rank(entry.sortKey);
    this.order.delete(entry.sortKey);
    this.counts[entry.priority]--;
    entry.priority = priority;
    entry.sortKey = queueSortKey(priority, entry.sequence);
    this.counts[priority]++;
    return this.order.insert(entry);
  }

  /** Entries in dispatch order from position `fromRank`. */
  inOrder(fromRank = 0): IterableIterator<PendingEntry<P>> {
    return this.order.valuesFrom(fromRank);
  }

  /** The longest-waiting entry, whatever its priority: the earliest of the level heads. */
  oldest(): PendingEntry<P> | undefined {
    let oldest: PendingEntry<P> | undefined;
    let levelStart = 0;
    for (const priority of PRIORITIES) {
      const count = this.counts[priority];
      if (count > 0) {
        const head = this.order.at(levelStart)!;
        if (!oldest || head.sequence < oldest.sequence) oldest = head;
      }
      levelStart += count;
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
}
