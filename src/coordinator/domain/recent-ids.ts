/**
 * Remembers the last `capacity` execution ids seen, so that a redelivered request for an
 * execution that already finished is recognised as a duplicate. Oldest ids are forgotten first.
 */
export class RecentIds<Note = true> {
  private readonly ring: (string | undefined)[];
  private readonly members = new Map<string, Note>();
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(0, capacity));
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** What was noted with `id` when it was added, if it is remembered. */
  noteOf(id: string): Note | undefined {
    return this.members.get(id);
  }

  add(id: string, note: Note = true as Note): void {
    if (this.capacity === 0 || this.members.has(id)) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.members.delete(evicted);
    this.ring[this.next] = id;
    this.members.set(id, note);
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.members.size;
  }
}
