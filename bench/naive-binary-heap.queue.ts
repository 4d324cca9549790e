import { priorityRank, type Priority } from '../src/contracts/priority.constants.js';

interface HeapEntry {
  executionId: string;
  userId: string;
  priority: Priority;
  sequence: number;
  enqueuedAt: number;
}

/**
 * The reference the benchmark compares against: the original coordinator's layout, a binary
 * heap ordered by (priority, arrival) where removal by id, rank and reprioritisation first scan
 * the array to find the entry. Its "position" is computed honestly here (count of entries
 * ahead), which also takes a full scan.
 */
export class NaiveBinaryHeapQueue {
  private readonly heap: HeapEntry[] = [];
  private nextSequence = 0;

  get size(): number {
    return this.heap.length;
  }

  enqueue(executionId: string, userId: string, priority: Priority, enqueuedAt: number): void {
    this.heap.push({ executionId, userId, priority, sequence: this.nextSequence++, enqueuedAt });
    this.siftUp(this.heap.length - 1);
  }

  takeNext(): HeapEntry | undefined {
    if (this.heap.length === 0) return undefined;
    return this.removeAt(0);
  }

  remove(executionId: string): HeapEntry | undefined {
    const index = this.heap.findIndex((entry) => entry.executionId === executionId);
    return index < 0 ? undefined : this.removeAt(index);
  }

  rank(executionId: string): number {
    const target = this.heap.find((entry) => entry.executionId === executionId);
    if (!target) return -1;
    let ahead = 0;
    for (const entry of this.heap) if (less(entry, target)) ahead++;
    return ahead;
  }

  reprioritize(executionId: string, priority: Priority): void {
    const index = this.heap.findIndex((entry) => entry.executionId === executionId);
    if (index < 0) return;
    this.heap[index]!.priority = priority;
    this.siftUp(index);
    this.siftDown(index);
  }

  private removeAt(index: number): HeapEntry {
    const removed = this.heap[index]!;
    const last = this.heap.pop()!;
    if (index < this.heap.length) {
      this.heap[index] = last;
      this.siftUp(index);
      this.siftDown(index);
    }
    return removed;
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!less(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

function less(a: HeapEntry, b: HeapEntry): boolean {
  const byPriority = priorityRank(a.priority) - priorityRank(b.priority);
  return byPriority !== 0 ? byPriority < 0 : a.sequence < b.sequence;
}
