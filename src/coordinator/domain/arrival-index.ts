/**
 * Pending executions in arrival order, for when the queue's own order is not arrival order
 * (fair share): the stale sweep and the "oldest waiting" figure need the earliest arrival.
 *
 * A queue with lazy deletion: entries that left the queue stay until they reach the front,
 * where `first` drops them, so adding and finding the oldest are O(1) amortised and leaving
 * costs nothing. When dead entries pile up behind a long-waiting one at the front, the index is
 * compacted (O(n), at most once per n departures).
 */
export class ArrivalIndex {
  private ids: string[] = [];
  private sequences: number[] = [];
  private head = 0;

  add(executionId: string, sequence: number): void {
    this.ids.push(executionId);
    this.sequences.push(sequence);
  }

  /**
   * The earliest arrival that `isPending` still confirms (by id and arrival sequence, so an id
   * admitted again later is not mistaken for its earlier self).
   */
  first(isPending: (executionId: string, sequence: number) => boolean): string | undefined {
    while (this.head < this.ids.length && !isPending(this.ids[this.head]!, this.sequences[this.head]!)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.ids.length) this.dropFront();
    return this.ids[this.head];
  }

  /** Drops the entries that left, keeping the order; `isPending` as in `first`. */
  compact(isPending: (executionId: string, sequence: number) => boolean): void {
    const ids: string[] = [];
    const sequences: number[] = [];
    for (let i = this.head; i < this.ids.length; i++) {
      if (!isPending(this.ids[i]!, this.sequences[i]!)) continue;
      ids.push(this.ids[i]!);
      sequences.push(this.sequences[i]!);
    }
    this.ids = ids;
    this.sequences = sequences;
    this.head = 0;
  }

  /** Entries held, dead ones included: what compaction would shrink. */
  get held(): number {
    return this.ids.length - this.head;
  }

  private dropFront(): void {
    this.ids = this.ids.slice(this.head);
    this.sequences = this.sequences.slice(this.head);
    this.head = 0;
  }
}
