/** What the index needs of an item: its id, and that id's hash as the index computed it. */
export interface HashedById {
  readonly executionId: string;
  readonly idHash: number;
}

/**
 * The pending entries by execution id: an open-addressing hash table with linear probing.
 *
 * Why not a `Map`: taking the next execution has to forget its id, and at a million pending a
 * `Map` delete was two thirds of the cost of a take (the hash bucket, then a chain of entries
 * whose id strings are read one by one, each a cache miss). Here every item carries its id's
 * hash, so dropping an item it already holds reads no string: one probe through a compact
 * array of hashes, comparing item references, then a backward shift that moves hashes and
 * references only. Lookups by an id string hash it once (FNV-1a, finished by a murmur mix) and
 * read an item only where the stored hash matches.
 *
 * The table grows to keep at most half its slots full, so probe runs stay short. The hash is
 * seeded per process, so which ids collide cannot be worked out from outside.
 */
export class ExecutionIdIndex<E extends HashedById> {
  /** 0 marks a free slot: hashOf never returns 0. */
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private items: (E | undefined)[] = new Array<E | undefined>(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  /** `hash` is for tests that need chosen collisions; it must never return 0. */
  constructor(private readonly hash: (executionId: string) => number = seededHash) {}

  get size(): number {
    return this.count;
  }

  /** The hash an item with this id must carry as `idHash`. */
  hashOf(executionId: string): number {
    return this.hash(executionId);
  }

  get(executionId: string): E | undefined {
    const slot = this.slotOfId(executionId, this.hashOf(executionId));
    return slot < 0 ? undefined : this.items[slot];
  }

  has(executionId: string): boolean {
    return this.slotOfId(executionId, this.hashOf(executionId)) >= 0;
  }

  /** Adds `item`, or puts it in the place of the item with the same id. */
  set(item: E): void {
    const existing = this.slotOfId(item.executionId, item.idHash);
    if (existing >= 0) {
      this.items[existing] = item;
      return;
    }
    if ((this.count + 1) * 2 > this.hashes.length) this.resize(this.hashes.length * 2);
    this.occupy(this.freeSlotFor(item.idHash), item);
    this.count++;
  }

  /** Removes this very item (not merely one with its id); false if it is not in the index. */
  delete(item: E): boolean {
    const { hashes, items, mask } = this;
    let slot = item.idHash & mask;
    for (let hash = hashes[slot]!; hash !== 0; hash = hashes[slot]!) {
      if (hash === item.idHash && items[slot] === item) {
        this.vacate(slot);
        this.count--;
        return true;
      }
      slot = (slot + 1) & mask;
    }
    return false;
  }

  private slotOfId(executionId: string, hash: number): number {
    const { hashes, items, mask } = this;
    let slot = hash & mask;
    for (let stored = hashes[slot]!; stored !== 0; stored = hashes[slot]!) {
      if (stored === hash && items[slot]!.executionId === executionId) return slot;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private freeSlotFor(hash: number): number {
    const { hashes, mask } = this;
    let slot = hash & mask;
    while (hashes[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  private occupy(slot: number, item: E): void {
    this.hashes[slot] = item.idHash;
    this.items[slot] = item;
  }

  /**
   * Frees `slot` and pulls later items of the probe run back into the gap whenever their home
   * slot allows it, so no tombstones build up and a lookup may stop at the first free slot.
   */
  private vacate(slot: number): void {
    const { hashes, items, mask } = this;
    let gap = slot;
    for (let next = (gap + 1) & mask; hashes[next] !== 0; next = (next + 1) & mask) {
      const home = hashes[next]! & mask;
      // The item at `next` may fill the gap unless its home lies cyclically in (gap, next].
      const homeAfterGap = gap <= next ? home > gap && home <= next : home > gap || home <= next;
      if (homeAfterGap) continue;
      hashes[gap] = hashes[next]!;
      items[gap] = items[next];
      gap = next;
    }
    hashes[gap] = 0;
    items[gap] = undefined;
  }

  private resize(capacity: number): void {
    const { hashes, items } = this;
    this.hashes = new Int32Array(capacity);
    this.items = new Array<E | undefined>(capacity);
    this.mask = capacity - 1;
    for (let slot = 0; slot < hashes.length; slot++) if (hashes[slot] !== 0) this.occupy(this.freeSlotFor(hashes[slot]!), items[slot]!);
  }
}

/** A power of two; small queues stay small. */
const INITIAL_CAPACITY = 16;

/**
 * FNV-1a's offset basis, varied per process (see the class comment). Math.random is enough: the
 * seed only has to be unknown outside the process, and no output of it ever leaves.
 */
const HASH_SEED = (0x811c9dc5 ^ Math.floor(Math.random() * 2 ** 31)) | 0;

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer so the low bits (the slot) mix well; never 0. */
function seededHash(executionId: string): number {
  let hash = HASH_SEED;
  for (let index = 0; index < executionId.length; index++) hash = Math.imul(hash ^ executionId.charCodeAt(index), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash === 0 ? 1 : hash;
}
