/**
 * Remembers the last `capacity` execution ids seen, so that a redelivered request for an
 * execution that already finished is recognised as a duplicate. Oldest ids are forgotten first.
 */
export class RecentIds {
  private readonly ring: (string | undefined)[];
  private readonly members = new Set<string>();
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(0, capacity));
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  add(id: string): void {
    if (this.capacity === 0 || this.members.has(id)) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.members.delete(evicted);
    this.ring[this.next] = id;
    this.members.add(id);
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.members.size;
  }
}
