/** What the arrival index needs of an entry: a flag set when it leaves the queue. */
export interface Departable {
  readonly left: boolean;
}

/**
 * Pending executions in arrival order, for when the queue's own order is not arrival order
 * (fair share): the stale sweep and the "oldest waiting" figure need the earliest arrival.
 *
 * A queue with lazy deletion over the queue's own entries: an entry that leaves is only flagged
 * (by the queue), and flagged entries are dropped when they reach the front, so adding, leaving
 * and finding the oldest are O(1) amortised and allocate nothing. When flagged entries pile up
 * behind a long-waiting one at the front, the index is compacted (O(n), at most once per n/2
 * departures).
 */
export class ArrivalIndex<E extends Departable> {
  private entries: E[] = [];
  private head = 0;
  private departed = 0;

  add(entry: E): void {
    this.entries.push(entry);
  }

  /** Call after flagging `entry` as left. */
  left(): void {
    if (++this.departed > (this.entries.length - this.head) / 2 + 1024) this.compact();
  }

  /** The earliest arrival still pending. */
  first(): E | undefined {
    while (this.head < this.entries.length && this.entries[this.head]!.left) {
      this.head++;
      this.departed--;
    }
    return this.entries[this.head];
  }

  private compact(): void {
    this.entries = this.entries.slice(this.head).filter((entry) => !entry.left);
    this.head = 0;
    this.departed = 0;
  }
}
