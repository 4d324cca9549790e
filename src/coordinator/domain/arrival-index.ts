/** The links the arrival index keeps in each entry (set and read only by the index). */
export interface ArrivalLinks<E> {
  earlierArrival: E | undefined;
  laterArrival: E | undefined;
}

/**
 * Pending executions in arrival order, for when the queue's own order is not arrival order
 * (fair share): the stale sweep and the "oldest waiting" figure need the earliest arrival.
 *
 * A doubly linked list threaded through the queue's own entries: adding, removing and finding
 * the oldest are O(1), allocate nothing, and an entry that left holds on to nothing.
 */
export class ArrivalIndex<E extends ArrivalLinks<E>> {
  private earliest: E | undefined;
  private latest: E | undefined;

  add(entry: E): void {
    entry.earlierArrival = this.latest;
    entry.laterArrival = undefined;
    if (this.latest) this.latest.laterArrival = entry;
    else this.earliest = entry;
    this.latest = entry;
  }

  remove(entry: E): void {
    const { earlierArrival, laterArrival } = entry;
    if (earlierArrival) earlierArrival.laterArrival = laterArrival;
    else this.earliest = laterArrival;
    if (laterArrival) laterArrival.earlierArrival = earlierArrival;
    else this.latest = earlierArrival;
    entry.earlierArrival = entry.laterArrival = undefined;
  }

  /** The earliest arrival still pending. */
  first(): E | undefined {
    return this.earliest;
  }
}
