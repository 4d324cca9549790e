import { TURN_LENGTH } from './fair-share.js';
import { before, OrderStatisticTree, type Keyed, type OrderedItems } from './order-statistic-tree.js';

/**
 * One priority level's entries under fair order, grouped by round: the entries whose start tag
 * falls in the same stretch of virtual time one turn long. A Fenwick tree counts the entries of
 * each round, so a rank is the count of the rounds before an entry's plus its place in its own
 * round, and every operation stays O(log n).
 *
 * Why not the B+ tree fifo uses: under fair order a new entry lands inside the level, not at
 * its end. Users who keep work waiting are served a turn each per round, so their start tags
 * mostly fall on a few values, and a new entry goes after every entry with its tag: the end of
 * its round. In the tree that spot is somewhere inside a leaf, on a path through the tree that
 * is often cold at a million entries; here it is an append to its round's array and a walk
 * up an array of counts that stays in cache (the figures are in docs/benchmarks.md, "Queue
 * core").
 *
 * A round keeps its entries in a sorted array, which an append or a take from the front costs
 * O(1) to change. An insert or a removal inside a round moves what follows it; once a round
 * is larger than ROUND_ARRAY_LIMIT such a change turns it into a B+ tree, so none costs more
 * than O(log n). (A round holds several tags when users have weights other than one: a
 * weight-2 user takes two turns per round, and an arrival of a weight-1 user goes before its
 * second.)
 */
export class TurnBuckets<T extends Keyed> implements OrderedItems<T> {
  /**
   * Round `base + offset` at `offset`: nothing, its only entry, or a Round holding several.
   * A lone entry is kept as it is, so a backlog of one user (one entry per round) costs a slot
   * and a count per entry, not an object and an array.
   */
  private slots: (T | Round<T> | undefined)[] = new Array<T | Round<T> | undefined>(INITIAL_ROUNDS);
  /** Fenwick tree over the same offsets: entries per round; its length is a power of two. */
  private counts = new Int32Array(INITIAL_ROUNDS);
  private base = 0;
  private count = 0;
  /** Offset of the first round that has entries, or -1 until it is looked for again. */
  private headOffset = -1;
  /**
   * Every entry, while the rounds span far more than the entries could fill (see reindex):
   * the level is then a plain B+ tree until it empties.
   */
  private sparse: OrderStatisticTree<T> | undefined;

  /** `roundWidth`: the virtual time one round spans; tests choose small ones. */
  constructor(private readonly roundWidth = TURN_LENGTH) {}

  get size(): number {
    return this.sparse ? this.sparse.size : this.count;
  }

  insert(item: T): number {
    if (this.sparse) {
      if (this.sparse.size > 0) return this.sparse.insert(item);
      this.sparse = undefined;
    }
    const roundIndex = Math.floor(item.sortKey / this.roundWidth);
    if (this.count === 0) this.base = roundIndex; // the counts are all zero again: nothing to clear
    else if (roundIndex < this.base || roundIndex - this.base >= this.counts.length) {
      if (!this.reindex(roundIndex)) return this.sparse!.insert(item);
    }
    const offset = roundIndex - this.base;
    const slot = this.slots[offset];
    let within = 0;
    if (slot === undefined) this.slots[offset] = item;
    else if (slot instanceof Round) within = slot.insert(item);
    else {
      // An array of exactly two: most rounds of a few users' backlogs never grow past that.
      within = itemBefore(slot, item) ? 1 : 0;
      this.slots[offset] = new Round<T>(within === 1 ? [slot, item] : [item, slot]);
    }
    this.add(offset, 1);
    this.count++;
    if (this.count === 1 || offset < this.headOffset) this.headOffset = offset;
    return this.countBefore(offset) + within;
  }

  delete(sortKey: number, tie: number): T | undefined {
    if (this.sparse) return this.sparse.delete(sortKey, tie);
    const offset = Math.floor(sortKey / this.roundWidth) - this.base;
    if (offset < 0 || offset >= this.slots.length) return undefined;
    const slot = this.slots[offset];
    let removed: T | undefined;
    if (slot instanceof Round) removed = slot.delete(sortKey, tie);
    else if (hasKeys(slot, sortKey, tie)) removed = slot;
    if (removed !== undefined) this.taken(offset);
    return removed;
  }

  shift(): T | undefined {
    if (this.sparse) return this.sparse.shift();
    if (this.count === 0) return undefined;
    const offset = this.firstOffset();
    const slot = this.slots[offset]!;
    const removed = slot instanceof Round ? slot.shift() : slot;
    this.taken(offset);
    return removed;
  }

  first(): T | undefined {
    if (this.sparse) return this.sparse.first();
    if (this.count === 0) return undefined;
    const slot = this.slots[this.firstOffset()]!;
    return slot instanceof Round ? slot.first() : slot;
  }

  rank(sortKey: number, tie: number): number {
    if (this.sparse) return this.sparse.rank(sortKey, tie);
    const offset = Math.floor(sortKey / this.roundWidth) - this.base;
    const slot = offset >= 0 ? this.slots[offset] : undefined;
    let within = -1;
    if (slot instanceof Round) within = slot.rank(sortKey, tie);
    else if (hasKeys(slot, sortKey, tie)) within = 0;
    return within < 0 ? -1 : this.countBefore(offset) + within;
  }

  /** Items in order from position `fromRank`; each step is O(1) amortised, each new round O(log n). */
  *valuesFrom(fromRank = 0): IterableIterator<T> {
    if (this.sparse) {
      yield* this.sparse.valuesFrom(fromRank);
      return;
    }
    if (fromRank < 0 || fromRank >= this.count) return;
    let offset = this.offsetHolding(fromRank);
    let skip = fromRank - this.countBefore(offset);
    for (;;) {
      const slot = this.slots[offset]!;
      if (slot instanceof Round) yield* slot.valuesFrom(skip);
      else yield slot;
      const through = this.countBefore(offset + 1);
      if (through >= this.count) return;
      offset = this.offsetHolding(through);
      skip = 0;
    }
  }

  /** Checks the counts, the rounds' order and bounds against the entries; throws on the first violation. For tests; O(n). */
  assertValid(): void {
    if (this.sparse) {
      if (this.count !== 0) throw new Error('entries both in rounds and in the sparse tree');
      this.sparse.assertValid();
      return;
    }
    let total = 0;
    let first = -1;
    this.slots.forEach((slot, offset) => {
      const counted = this.countBefore(offset + 1) - this.countBefore(offset);
      const items = slot === undefined ? [] : slot instanceof Round ? [...slot.valuesFrom(0)] : [slot];
      if (slot instanceof Round && items.length < 2) throw new Error(`round at ${offset} holds ${items.length} entries`);
      if (counted !== items.length) throw new Error(`round at ${offset} counted ${counted}, holds ${items.length}`);
      items.forEach((item, index) => {
        if (Math.floor(item.sortKey / this.roundWidth) !== this.base + offset) throw new Error(`key ${item.sortKey} in round ${this.base + offset}`);
        if (index > 0 && !itemBefore(items[index - 1]!, item)) throw new Error(`round ${this.base + offset} out of order`);
      });
      if (items.length > 0 && first < 0) first = offset;
      total += items.length;
    });
    if (this.slots.length !== this.counts.length) throw new Error('slots and counts differ in length');
    if (total !== this.count || this.countBefore(this.counts.length) !== total) throw new Error('size disagrees with the rounds');
    if (this.headOffset >= 0 && this.headOffset !== first) throw new Error(`head at ${this.headOffset}, first round at ${first}`);
  }

  /** Accounts for an entry taken out of the round at `offset`; a round left with one entry keeps it as it is. */
  private taken(offset: number): void {
    this.add(offset, -1);
    this.count--;
    const slot = this.slots[offset]!;
    if (slot instanceof Round) {
      if (slot.size === 1) this.slots[offset] = slot.first();
      return;
    }
    this.slots[offset] = undefined;
    if (offset === this.headOffset) this.headOffset = this.nextFilled(offset);
  }

  /**
   * The first round with entries after `offset` when it is close (a backlog fills consecutive
   * rounds), else -1: firstOffset then asks the counts.
   */
  private nextFilled(offset: number): number {
    if (this.count === 0) return -1;
    const end = Math.min(this.slots.length, offset + 1 + NEAR_ROUNDS);
    for (let next = offset + 1; next < end; next++) if (this.slots[next] !== undefined) return next;
    return -1;
  }

  /** Offset of the first round with entries (see nextFilled). */
  private firstOffset(): number {
    if (this.headOffset >= 0) return this.headOffset;
    return (this.headOffset = this.offsetHolding(0));
  }

  /**
   * Makes the counted range cover `roundIndex` as well as every round present: from the lowest
   * of them, with as much room again below a round that came in under the range (start tags
   * are at least the virtual time, so that happens only while the range has not reached it)
   * and a power of two at least twice the span. O(range) each time, and the span at least
   * doubles between two of them, or the range moved up to follow the virtual time.
   *
   * Answers false, with every entry moved into a B+ tree (`sparse`), when that range would be
   * far larger than the entries: a user's finish tag runs ahead of the virtual time by one turn
   * per execution it had admitted while it kept one waiting or running, cancelled ones included,
   * so a client that submits and cancels in a loop could otherwise make the arrays of rounds as
   * large as its history. The level stays a tree until it empties.
   */
  private reindex(roundIndex: number): boolean {
    let low = Math.min(roundIndex, this.base + this.firstOffset());
    let high = roundIndex;
    for (let offset = this.slots.length - 1; offset >= 0; offset--) {
      if (this.slots[offset] !== undefined) {
        high = Math.max(high, this.base + offset);
        break;
      }
    }
    if (roundIndex < this.base) low -= high - low + 1;
    let length = INITIAL_ROUNDS;
    while (length < 2 * (high - low + 1)) length *= 2;
    if (length > Math.max(DENSE_ROUNDS_FLOOR, DENSE_ROUNDS_PER_ENTRY * this.count)) {
      this.becomeSparse();
      return false;
    }
    const slots = new Array<T | Round<T> | undefined>(length);
    this.counts = new Int32Array(length);
    this.slots.forEach((slot, offset) => {
      if (slot === undefined) return;
      const moved = this.base + offset - low;
      slots[moved] = slot;
      this.add(moved, slot instanceof Round ? slot.size : 1);
    });
    this.slots = slots;
    this.base = low;
    this.headOffset = -1;
    return true;
  }

  private becomeSparse(): void {
    const tree = new OrderStatisticTree<T>();
    for (const slot of this.slots) {
      if (slot instanceof Round) for (const item of slot.valuesFrom(0)) tree.insert(item);
      else if (slot !== undefined) tree.insert(slot);
    }
    this.sparse = tree;
    this.slots = new Array<T | Round<T> | undefined>(INITIAL_ROUNDS);
    this.counts = new Int32Array(INITIAL_ROUNDS);
    this.count = 0;
    this.headOffset = -1;
  }

  private add(offset: number, delta: number): void {
    const counts = this.counts;
    for (let i = offset + 1; i <= counts.length; i += i & -i) counts[i - 1]! += delta;
  }

  /** Entries in the rounds before `offset`. */
  private countBefore(offset: number): number {
    let total = 0;
    for (let i = offset; i > 0; i -= i & -i) total += this.counts[i - 1]!;
    return total;
  }

  /** Offset of the round holding the entry of rank `rank` (the first offset with more than `rank` entries up to it). */
  private offsetHolding(rank: number): number {
    const counts = this.counts;
    let offset = 0;
    let remaining = rank;
    for (let step = counts.length; step > 0; step >>= 1) {
      const next = offset + step;
      if (next <= counts.length && counts[next - 1]! <= remaining) {
        offset = next;
        remaining -= counts[next - 1]!;
      }
    }
    return offset;
  }
}

const INITIAL_ROUNDS = 64;
/** The range of rounds is always allowed this many slots, and beyond it this many per entry (see reindex). */
const DENSE_ROUNDS_FLOOR = 65_536;
const DENSE_ROUNDS_PER_ENTRY = 4;
/** How far nextFilled looks along the slots before it leaves the search to the counts. */
const NEAR_ROUNDS = 16;
/** Largest round kept in plain arrays once an entry must go in or out inside it (see TurnBuckets). */
const ROUND_ARRAY_LIMIT = 64;

/**
 * The entries of one round in order: a sorted array, taken from the front by moving `head`
 * (the front is cut off once it is half the array), or a B+ tree once a change inside a large
 * round would move too much. Only the items are kept, not copies of their keys as in the tree's
 * leaves: a lone user's backlog puts one entry in each round, and three arrays per round would
 * cost several hundred bytes per entry.
 */
class Round<T extends Keyed> {
  private items: (T | undefined)[];
  private head = 0;
  private tree: OrderStatisticTree<T> | undefined;

  /** `items`: sorted, at least two. */
  constructor(items: T[]) {
    this.items = items;
  }

  get size(): number {
    return this.tree ? this.tree.size : this.items.length - this.head;
  }

  /** Adds an item; returns its rank within the round. */
  insert(item: T): number {
    if (this.tree) return this.tree.insert(item);
    const items = this.items;
    const last = items[items.length - 1];
    if (items.length === this.head || itemBefore(last!, item)) {
      items.push(item);
      return items.length - 1 - this.head;
    }
    if (this.size >= ROUND_ARRAY_LIMIT) return this.becomeTree().insert(item);
    const position = this.lowerBound(item.sortKey, item.sequence);
    items.splice(position, 0, item);
    return position - this.head;
  }

  first(): T | undefined {
    return this.tree ? this.tree.first() : this.items[this.head];
  }

  shift(): T | undefined {
    if (this.tree) return this.tree.shift();
    const item = this.items[this.head];
    this.items[this.head++] = undefined; // the round no longer keeps it alive
    if (this.head > ROUND_ARRAY_LIMIT && this.head * 2 > this.items.length) this.cutFront();
    return item;
  }

  delete(sortKey: number, tie: number): T | undefined {
    if (this.tree) return this.tree.delete(sortKey, tie);
    const position = this.lowerBound(sortKey, tie);
    if (!this.isAt(position, sortKey, tie)) return undefined;
    if (position === this.head) return this.shift();
    if (this.size > ROUND_ARRAY_LIMIT) return this.becomeTree().delete(sortKey, tie);
    return this.items.splice(position, 1)[0];
  }

  rank(sortKey: number, tie: number): number {
    if (this.tree) return this.tree.rank(sortKey, tie);
    const position = this.lowerBound(sortKey, tie);
    return this.isAt(position, sortKey, tie) ? position - this.head : -1;
  }

  *valuesFrom(fromRank: number): IterableIterator<T> {
    if (this.tree) {
      yield* this.tree.valuesFrom(fromRank);
      return;
    }
    for (let index = this.head + fromRank; index < this.items.length; index++) yield this.items[index]!;
  }

  private becomeTree(): OrderStatisticTree<T> {
    const tree = new OrderStatisticTree<T>();
    for (let index = this.head; index < this.items.length; index++) tree.insert(this.items[index]!);
    this.items = [];
    this.head = 0;
    return (this.tree = tree);
  }

  private cutFront(): void {
    this.items.copyWithin(0, this.head);
    this.items.length -= this.head;
    this.head = 0;
  }

  private isAt(position: number, sortKey: number, tie: number): boolean {
    return hasKeys(this.items[position], sortKey, tie);
  }

  /** First position at or after `head` whose entry is at or after (sortKey, tie). */
  private lowerBound(sortKey: number, tie: number): number {
    const items = this.items;
    let low = this.head;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const item = items[middle]!;
      if (before(item.sortKey, item.sequence, sortKey, tie)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function itemBefore(item: Keyed, other: Keyed): boolean {
  return before(item.sortKey, item.sequence, other.sortKey, other.sequence);
}

function hasKeys(item: Keyed | undefined, sortKey: number, tie: number): boolean {
  return item !== undefined && item.sortKey === sortKey && item.sequence === tie;
}
