import { TURN_LENGTH } from './fair-share.js';
import { OrderStatisticTree, type Keyed, type OrderedItems } from './order-statistic-tree.js';

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
 * is often cold at a million entries; here it is an append to its round's arrays and a walk
 * up an array of counts that stays in cache. At a million pending and 1,000 users that made
 * fair enqueue 0.83–0.87× of fifo's instead of 0.68–0.74× (docs/benchmarks.md).
 *
 * A round keeps its entries in sorted arrays, which an append or a take from the front costs
 * O(1) to change. An insert or a removal inside a round moves what follows it; once a round
 * is larger than ROUND_ARRAY_LIMIT such a change turns it into a B+ tree, so none costs more
 * than O(log n) (rounds with several tags in them come from weights above 12 or moved entries).
 */
export class TurnBuckets<T extends Keyed> implements OrderedItems<T> {
  private readonly rounds = new Map<number, Round<T>>();
  /** Fenwick tree: entries per round, indexed by round − base; its length is a power of two. */
  private counts = new Int32Array(INITIAL_ROUNDS);
  private base = 0;
  private count = 0;
  /** The first round that has entries, once known (found again through the counts when it empties). */
  private head: Round<T> | undefined;
  private headRound = 0;

  /** `roundWidth`: the virtual time one round spans; tests choose small ones. */
  constructor(private readonly roundWidth = TURN_LENGTH) {}

  get size(): number {
    return this.count;
  }

  insert(item: T): number {
    const roundIndex = Math.floor(item.sortKey / this.roundWidth);
    if (this.count === 0) this.startAt(roundIndex);
    else if (roundIndex < this.base || roundIndex - this.base >= this.counts.length) this.reindex(roundIndex);
    let round = this.rounds.get(roundIndex);
    let within = 0;
    if (round) within = round.insert(item);
    else this.rounds.set(roundIndex, (round = new Round<T>(item)));
    const offset = roundIndex - this.base;
    this.add(offset, 1);
    this.count++;
    if (this.count === 1 || (this.head && roundIndex < this.headRound)) {
      this.head = round;
      this.headRound = roundIndex;
    }
    return this.countBefore(offset) + within;
  }

  delete(sortKey: number, tie: number): T | undefined {
    const roundIndex = Math.floor(sortKey / this.roundWidth);
    const round = this.rounds.get(roundIndex);
    const removed = round?.delete(sortKey, tie);
    if (!round || removed === undefined) return undefined;
    this.taken(roundIndex, round);
    return removed;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const round = this.firstRound();
    const removed = round.shift();
    this.taken(this.headRound, round);
    return removed;
  }

  first(): T | undefined {
    return this.count === 0 ? undefined : this.firstRound().first();
  }

  rank(sortKey: number, tie: number): number {
    const roundIndex = Math.floor(sortKey / this.roundWidth);
    const within = this.rounds.get(roundIndex)?.rank(sortKey, tie) ?? -1;
    return within < 0 ? -1 : this.countBefore(roundIndex - this.base) + within;
  }

  /** Items in order from position `fromRank`; each step is O(1) amortised, each new round O(log n). */
  *valuesFrom(fromRank = 0): IterableIterator<T> {
    if (fromRank < 0 || fromRank >= this.count) return;
    let offset = this.offsetHolding(fromRank);
    let skip = fromRank - this.countBefore(offset);
    for (;;) {
      yield* this.rounds.get(this.base + offset)!.valuesFrom(skip);
      const through = this.countBefore(offset + 1);
      if (through >= this.count) return;
      offset = this.offsetHolding(through);
      skip = 0;
    }
  }

  /** Checks the counts, the rounds' order and bounds against the entries; throws on the first violation. For tests; O(n). */
  assertValid(): void {
    let total = 0;
    for (const [roundIndex, round] of this.rounds) {
      if (round.size === 0) throw new Error(`empty round ${roundIndex} kept`);
      const offset = roundIndex - this.base;
      if (offset < 0 || offset >= this.counts.length) throw new Error(`round ${roundIndex} outside the counted range`);
      const counted = this.countBefore(offset + 1) - this.countBefore(offset);
      if (counted !== round.size) throw new Error(`round ${roundIndex} counted ${counted}, holds ${round.size}`);
      let previous: T | undefined;
      for (const item of round.valuesFrom(0)) {
        if (Math.floor(item.sortKey / this.roundWidth) !== roundIndex) throw new Error(`key ${item.sortKey} in round ${roundIndex}`);
        if (previous && !before(previous, item)) throw new Error(`round ${roundIndex} out of order`);
        previous = item;
      }
      total += round.size;
    }
    if (total !== this.count || this.countBefore(this.counts.length) !== total) throw new Error('size disagrees with the rounds');
    if (this.head && (this.head.size === 0 || this.rounds.get(this.headRound) !== this.head || this.countBefore(this.headRound - this.base) !== 0)) {
      throw new Error('head is not the first round');
    }
  }

  /** Accounts for an entry taken out of `round`, dropping the round once empty. */
  private taken(roundIndex: number, round: Round<T>): void {
    this.add(roundIndex - this.base, -1);
    this.count--;
    if (round.size > 0) return;
    this.rounds.delete(roundIndex);
    if (round === this.head) this.head = undefined;
  }

  private firstRound(): Round<T> {
    if (!this.head) {
      this.headRound = this.base + this.offsetHolding(0);
      this.head = this.rounds.get(this.headRound)!;
    }
    return this.head;
  }

  /** An empty level starts counting from its first entry's round. */
  private startAt(roundIndex: number): void {
    this.base = roundIndex; // the counts are all zero again: nothing to clear
    this.head = undefined;
  }

  /**
   * Makes the counted range cover `roundIndex` as well as every round present: from the lowest
   * of them, with as much room again below a round that came in under the range (start tags
   * are at least the virtual time, so that happens only while the range has not reached it)
   * and a power of two at least twice the span. O(rounds) each time, and the span at least
   * doubles between two of them, or the range moved up to follow the virtual time.
   */
  private reindex(roundIndex: number): void {
    let low = roundIndex;
    let high = roundIndex;
    for (const present of this.rounds.keys()) {
      if (present < low) low = present;
      if (present > high) high = present;
    }
    const span = high - low + 1;
    if (roundIndex < this.base) low -= span;
    let length = INITIAL_ROUNDS;
    while (length < 2 * (high - low + 1)) length *= 2;
    this.base = low;
    this.counts = new Int32Array(length);
    for (const [present, round] of this.rounds) this.add(present - low, round.size);
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

  constructor(first: T) {
    this.items = [first];
  }

  get size(): number {
    return this.tree ? this.tree.size : this.items.length - this.head;
  }

  /** Adds an item; returns its rank within the round. */
  insert(item: T): number {
    if (this.tree) return this.tree.insert(item);
    const items = this.items;
    const last = items[items.length - 1];
    if (items.length === this.head || before(last!, item)) {
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
    const item = this.items[position];
    return item !== undefined && position >= this.head && item.sortKey === sortKey && item.sequence === tie;
  }

  /** First position at or after `head` whose entry is at or after (sortKey, tie). */
  private lowerBound(sortKey: number, tie: number): number {
    const items = this.items;
    let low = this.head;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const item = items[middle]!;
      if (item.sortKey < sortKey || (item.sortKey === sortKey && item.sequence < tie)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function before(item: Keyed, other: Keyed): boolean {
  return item.sortKey < other.sortKey || (item.sortKey === other.sortKey && item.sequence < other.sequence);
}
