/** An active execution that a scheduling run has to look at: its lease or its grace period ran out. */
export interface DueEntry {
  executionId: string;
  /** When it fell due (epoch ms). */
  at: number;
  /** Its dispatch is not yet confirmed as published (a grace period, not a lease, may have run out). */
  unconfirmed: boolean;
}

/**
 * Active executions by when a scheduling run must look at them again: the order in which
 * repairs happen (docs/design.md, "Repairs"). Earliest first; at the same millisecond a lease
 * before an unconfirmed dispatch; then by execution id. The Redis store keeps the same order in
 * one sorted set (score 2 × ms, plus 1 while unconfirmed; equal scores by member), so both
 * stores repair in the same order.
 *
 * A binary heap with lazy deletion: moving or deleting an entry leaves its old heap item
 * behind, recognised as stale when it reaches the top; the heap is rebuilt when stale items
 * outnumber live ones.
 */
export class DueIndex {
  private readonly scores = new Map<string, number>();
  private heap: { score: number; id: string }[] = [];

  /** Sets when `executionId` falls due (replacing an earlier time). */
  set(executionId: string, at: number, unconfirmed: boolean): void {
    const score = at * 2 + (unconfirmed ? 1 : 0);
    this.scores.set(executionId, score);
    this.push({ score, id: executionId });
    if (this.heap.length > 2 * this.scores.size + 64) this.rebuild();
  }

  delete(executionId: string): void {
    this.scores.delete(executionId);
  }

  isUnconfirmed(executionId: string): boolean {
    return (this.scores.get(executionId) ?? 0) % 2 === 1;
  }

  /** The first entry that fell due before `now`, if any (it stays in the index). */
  firstDueBefore(now: number): DueEntry | undefined {
    // Every scheduling step asks, and almost always nothing is due. The top is the earliest of
    // all items, stale or live, and every live entry has its item in the heap: a top that is
    // not due yet means nothing is, with no stale item cleared on the way.
    if (this.heap.length === 0 || this.heap[0]!.score >= now * 2) return undefined;
    this.dropStaleTop();
    const top = this.heap[0];
    if (!top || top.score >= now * 2) return undefined;
    return { executionId: top.id, at: Math.floor(top.score / 2), unconfirmed: top.score % 2 === 1 };
  }

  private dropStaleTop(): void {
    while (this.heap.length > 0 && this.scores.get(this.heap[0]!.id) !== this.heap[0]!.score) this.pop();
  }

  private rebuild(): void {
    this.heap = [];
    for (const [id, score] of this.scores) this.push({ score, id });
  }

  private push(item: { score: number; id: string }): void {
    const heap = this.heap;
    heap.push(item);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

/** Heap order: score, then id by code unit (ids are ASCII, so as Redis compares members). */
function before(a: { score: number; id: string }, b: { score: number; id: string }): boolean {
  return a.score < b.score || (a.score === b.score && a.id < b.id);
}
