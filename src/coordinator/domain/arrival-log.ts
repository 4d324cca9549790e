/**
 * Pending executions in arrival order, for when the queue's own order is not arrival order
 * (fair share): the stale sweep and the "oldest waiting" figure need the earliest arrival.
 *
 * An append-only log with lazy deletion, built so that the queue's hot paths touch nothing
 * but compact arrays: adding appends; an entry that leaves only sets one bit, indexed by its
 * arrival sequence; `first()` skips departed entries at the head. Entries are appended in
 * sequence order, so the log's own copy of the sequences tells, without reading an entry,
 * whether it left. Once departed entries outnumber the live ones a compaction drops them, so
 * the log holds at most about twice the pending count, each departure costs O(1) amortised,
 * and an entry that left is not kept alive for long.
 *
 * The bit set spans the sequences from the oldest entry still logged to the newest: one bit
 * per arrival since the oldest pending one (a million arrivals behind a lingering entry cost
 * 125 KB).
 */
export class ArrivalLog<E extends { readonly sequence: number }> {
  private readonly entries: (E | undefined)[] = [];
  private readonly sequences: number[] = [];
  private head = 0;
  private live = 0;
  /** Bit (sequence − base) is set once the entry with that sequence departed. */
  private departedBits = new Uint32Array(64);
  /** Sequence of bit 0; a multiple of 32. */
  private base = 0;

  /** Appends an entry; sequences must increase from one call to the next. */
  add(entry: E): void {
    const word = (entry.sequence - this.base) >>> 5;
    if (word >= this.departedBits.length) this.growBits(word);
    this.entries.push(entry);
    this.sequences.push(entry.sequence);
    this.live++;
  }

  /** Records that a logged entry left the queue. */
  departed(entry: E): void {
    const offset = entry.sequence - this.base;
    this.departedBits[offset >>> 5]! |= 1 << (offset & 31);
    this.live--;
    if (this.sequences.length - this.head > 2 * this.live + MIN_COMPACTION) this.compact();
  }

  /** The earliest arrival still pending. */
  first(): E | undefined {
    const { entries, sequences } = this;
    while (this.head < sequences.length && this.hasDeparted(sequences[this.head]!)) entries[this.head++] = undefined;
    if (this.head > MIN_COMPACTION && this.head * 2 > sequences.length) this.compact();
    return this.entries[this.head];
  }

  private hasDeparted(sequence: number): boolean {
    const offset = sequence - this.base;
    return (this.departedBits[offset >>> 5]! & (1 << (offset & 31))) !== 0;
  }

  /**
   * Drops departed entries and the bits below the oldest one kept. In place: the survivors move
   * to the front of the same arrays, which are then cut, so a compaction allocates nothing (at a
   * million pending, fresh arrays and their garbage were a visible part of a take's cost).
   */
  private compact(): void {
    const { entries, sequences } = this;
    let kept = 0;
    for (let index = this.head; index < sequences.length; index++) {
      const sequence = sequences[index]!;
      if (this.hasDeparted(sequence)) continue;
      entries[kept] = entries[index];
      sequences[kept] = sequence;
      kept++;
    }
    entries.length = kept;
    sequences.length = kept;
    const nextBase = kept > 0 ? sequences[0]! - (sequences[0]! & 31) : this.base;
    const droppedWords = (nextBase - this.base) >>> 5;
    this.departedBits.copyWithin(0, droppedWords);
    this.departedBits.fill(0, this.departedBits.length - droppedWords);
    this.base = nextBase;
    this.head = 0;
  }

  private growBits(word: number): void {
    const grown = new Uint32Array(Math.max(word + 1, this.departedBits.length * 2));
    grown.set(this.departedBits);
    this.departedBits = grown;
  }
}

/** Departed entries the log tolerates before it compacts, so small queues never compact often. */
const MIN_COMPACTION = 1024;
