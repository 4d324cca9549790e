import { priorityRank, type Priority } from '../src/contracts/priority.constants.js';

interface HeapEntry {
  executionId: string;
  userId: string;
  /** priorityRank of the priority: 0 (critical) first. */
  rank: number;
  sequence: number;
  enqueuedAt: number;
  /** Where the entry sits in the heap array, kept up to date by every move. */
  index: number;
}

/**
 * The strong reference: a binary heap ordered by (priority, arrival) whose entries know their
 * own place in the array, found through an id map, so removal and a change of priority are
 * O(log n) (the layout of mature schedulers' priority queues). A heap keeps no order among the
 * entries below the top, so a true position still needs every entry compared: rank is O(n)
 * here, and that is what it costs.
 */
export class IndexedBinaryHeapQueue {
  private readonly heap: HeapEntry[] = [];
  private readonly byId = new Map<string, HeapEntry>();
  private nextSequence = 0;

  get size(): number {
    return this.heap.length;
  }

  enqueue(executionId: string, userId: string, priority: Priority, enqueuedAt: number): void {
    const entry: HeapEntry = { executionId, userId, rank: priorityRank(priority), sequence: this.nextSequence++, enqueuedAt, index: this.heap.length };
    this.heap.push(entry);
    this.byId.set(executionId, entry);
    this.siftUp(entry.index);
  }

  takeNext(): HeapEntry | undefined {
    return this.heap.length === 0 ? undefined : this.removeAt(0);
  }

  remove(executionId: string): HeapEntry | undefined {
    const entry = this.byId.get(executionId);
    return entry === undefined ? undefined : this.removeAt(entry.index);
  }

  rank(executionId: string): number {
    const target = this.byId.get(executionId);
    if (!target) return -1;
    let ahead = 0;
    for (const entry of this.heap) if (less(entry, target)) ahead++;
    return ahead;
  }

  reprioritize(executionId: string, priority: Priority): void {
    const entry = this.byId.get(executionId);
    if (!entry) return;
    entry.rank = priorityRank(priority);
    this.siftUp(entry.index);
    this.siftDown(entry.index);
  }

  private removeAt(index: number): HeapEntry {
    const heap = this.heap;
    const removed = heap[index]!;
    this.byId.delete(removed.executionId);
    const last = heap.pop()!;
    if (index < heap.length) {
      this.place(last, index);
      this.siftUp(index);
      this.siftDown(last.index);
    }
    return removed;
  }

  private place(entry: HeapEntry, index: number): void {
    this.heap[index] = entry;
    entry.index = index;
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!less(entry, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(entry, index);
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && less(heap[right]!, heap[left]!) ? right : left;
      if (!less(heap[child]!, entry)) break;
      this.place(heap[child]!, index);
      index = child;
    }
    this.place(entry, index);
  }
}

function less(a: HeapEntry, b: HeapEntry): boolean {
  return a.rank !== b.rank ? a.rank < b.rank : a.sequence < b.sequence;
}
