/**
 * A B+ tree whose inner nodes count the items below each child, so that besides insert and
 * delete it answers "what is the rank of this item" and "which item has rank k" in
 * O(log n). Items are ordered by a numeric `sortKey`, then by a numeric `sequence` among items
 * with the same sort key; the pair must be unique.
 *
 * Wide nodes keep the tree shallow (four levels hold sixteen million items) and store items in
 * plain arrays, which costs far less memory per item than a binary tree's node objects.
 */
export interface Keyed {
  readonly sortKey: number;
  /** Orders items whose sort keys are equal; in the queue, the arrival sequence. */
  readonly sequence: number;
}

/** What the pending queue needs of one level's ordered entries (OrderStatisticTree, TurnBuckets). */
export interface OrderedItems<T extends Keyed> {
  readonly size: number;
  /** Adds an item whose key pair is not present yet; returns its rank. */
  insert(item: T): number;
  delete(sortKey: number, tie: number): T | undefined;
  shift(): T | undefined;
  first(): T | undefined;
  /** 0-based position of the item with this key pair, or -1 if absent. */
  rank(sortKey: number, tie: number): number;
  valuesFrom(fromRank?: number): IterableIterator<T>;
}

/** Whether (key, tie) comes before (otherKey, otherTie) in the tree's order. */
export function before(key: number, tie: number, otherKey: number, otherTie: number): boolean {
  return key < otherKey || (key === otherKey && tie < otherTie);
}

const LEAF_CAPACITY = 64;
const INNER_CAPACITY = 64;
/** A node below this fill tries to merge with a sibling after a delete (the first leaf, drained by shift, is the exception). */
const LEAF_MIN = LEAF_CAPACITY / 4;
const INNER_MIN = INNER_CAPACITY / 4;

/**
 * Keys and sequences are kept in their own arrays beside the items, so a binary search touches
 * compact arrays instead of following a pointer per probe: at a million entries that is the
 * difference between one cache miss and six. Sequences matter where many keys are equal (fair
 * order gives every user's first turn the same start tag).
 */
class LeafNode<T extends Keyed> {
  constructor(
    public keys: number[],
    public ties: number[],
    public items: T[],
  ) {}
  get size(): number {
    return this.items.length;
  }
}

class InnerNode<T extends Keyed> {
  /**
   * (separators[i], separatorTies[i]) is the key pair of the first item of children[i + 1]:
   * every item there is at or after it, every item of children[i] before it. Two plain number
   * arrays, so the search down an inner node reads compact memory, not one item per probe.
   */
  constructor(
    public children: TreeNode<T>[],
    public separators: number[],
    public separatorTies: number[],
    public counts: number[],
    public size: number,
  ) {}
}

type TreeNode<T extends Keyed> = LeafNode<T> | InnerNode<T>;

interface Split<T extends Keyed> {
  separator: number;
  separatorTie: number;
  right: TreeNode<T>;
}

export class OrderStatisticTree<T extends Keyed> implements OrderedItems<T> {
  private root: TreeNode<T> = new LeafNode<T>([], [], []);
  /** Rank of the item the last insert placed, gathered on the way down. */
  private insertedRank = 0;

  get size(): number {
    return this.root.size;
  }

  /** Adds an item and returns its rank; the caller guarantees its key is not already present. */
  insert(item: T): number {
    this.insertedRank = 0;
    const split = this.insertInto(this.root, item);
    if (split) {
      const left = this.root;
      this.root = new InnerNode<T>([left, split.right], [split.separator], [split.separatorTie], [left.size, split.right.size], left.size + split.right.size);
    }
    return this.insertedRank;
  }

  /** Removes the item with this key pair; returns it, or undefined if absent. */
  delete(sortKey: number, tie: number): T | undefined {
    const removed = this.deleteFrom(this.root, sortKey, tie);
    if (this.root instanceof InnerNode && this.root.children.length === 1) {
      this.root = this.root.children[0]!;
    }
    return removed;
  }

  /** Removes and returns the first item: the leftmost path, no key comparisons. */
  shift(): T | undefined {
    if (this.root.size === 0) return undefined;
    const removed = this.shiftFrom(this.root);
    if (this.root instanceof InnerNode && this.root.children.length === 1) {
      this.root = this.root.children[0]!;
    }
    return removed;
  }

  /** 0-based position of the item with this key pair, or -1 if absent. */
  rank(sortKey: number, tie: number): number {
    let node = this.root;
    let ahead = 0;
    while (node instanceof InnerNode) {
      const index = childIndex(node, sortKey, tie);
      for (let i = 0; i < index; i++) ahead += node.counts[i]!;
      node = node.children[index]!;
    }
    const position = lowerBound(node, sortKey, tie);
    return isAt(node, position, sortKey, tie) ? ahead + position : -1;
  }

  /** The item at 0-based position `rank`, or undefined past the end. */
  at(rank: number): T | undefined {
    if (rank < 0 || rank >= this.size) return undefined;
    let node = this.root;
    let remaining = rank;
    while (node instanceof InnerNode) {
      let index = 0;
      while (remaining >= node.counts[index]!) remaining -= node.counts[index++]!;
      node = node.children[index]!;
    }
    return node.items[remaining];
  }

  first(): T | undefined {
    let node = this.root;
    while (node instanceof InnerNode) node = node.children[0]!;
    return node.items[0];
  }

  /** Items in order starting at position `fromRank`; each step is O(1) amortised. */
  *valuesFrom(fromRank = 0): IterableIterator<T> {
    if (fromRank < 0 || fromRank >= this.size) return;
    // Path of (node, child index) pairs down to the leaf holding `fromRank`.
    const path: { node: InnerNode<T>; index: number }[] = [];
    let node = this.root;
    let remaining = fromRank;
    while (node instanceof InnerNode) {
      let index = 0;
      while (remaining >= node.counts[index]!) remaining -= node.counts[index++]!;
      path.push({ node, index });
      node = node.children[index]!;
    }
    let leaf: LeafNode<T> | undefined = node;
    let position = remaining;
    while (leaf) {
      for (; position < leaf.items.length; position++) yield leaf.items[position]!;
      leaf = nextLeaf(path);
      position = 0;
    }
  }

  /**
   * Checks the structure (sorted keys, separator bounds, counts, minimum fill of every node but
   * the root) and throws on the first violation. For tests; O(n).
   */
  assertValid(): void {
    type Bound = [number, number] | undefined;
    const check = (node: TreeNode<T>, low: Bound, high: Bound, isRoot: boolean): number => {
      if (node instanceof LeafNode) {
        if (!isRoot && node.items.length < 1) throw new Error('empty non-root leaf');
        if (node.keys.length !== node.items.length || node.ties.length !== node.items.length) throw new Error('leaf keys and items disagree');
        node.items.forEach((item, i) => {
          if (node.keys[i] !== item.sortKey || node.ties[i] !== item.sequence) throw new Error(`leaf key ${node.keys[i]} differs from its item's ${item.sortKey}`);
          if ((low && before(item.sortKey, item.sequence, ...low)) || (high && !before(item.sortKey, item.sequence, ...high))) {
            throw new Error(`key ${item.sortKey}/${item.sequence} outside its separators`);
          }
          if (i > 0 && !before(node.keys[i - 1]!, node.items[i - 1]!.sequence, item.sortKey, item.sequence)) throw new Error('leaf keys out of order');
        });
        return node.items.length;
      }
      if (!isRoot && node.children.length < INNER_MIN) throw new Error('underfull inner node');
      if (node.separators.length !== node.children.length - 1 || node.separatorTies.length !== node.separators.length || node.counts.length !== node.children.length) {
        throw new Error('inner node arrays disagree');
      }
      let total = 0;
      node.children.forEach((child, i) => {
        const bound = (at: number): Bound => [node.separators[at]!, node.separatorTies[at]!];
        const size = check(child, i === 0 ? low : bound(i - 1), i === node.children.length - 1 ? high : bound(i), false);
        if (size !== node.counts[i]) throw new Error(`count ${node.counts[i]} != subtree size ${size}`);
        total += size;
      });
      if (total !== node.size) throw new Error('inner size disagrees with counts');
      return total;
    };
    check(this.root, undefined, undefined, true);
  }

  private insertInto(node: TreeNode<T>, item: T): Split<T> | undefined {
    if (node instanceof LeafNode) {
      const position = lowerBound(node, item.sortKey, item.sequence);
      this.insertedRank += position;
      insertAt(node.keys, position, item.sortKey);
      insertAt(node.ties, position, item.sequence);
      insertAt(node.items, position, item);
      if (node.items.length <= LEAF_CAPACITY) return undefined;
      const right = new LeafNode(node.keys.splice(LEAF_CAPACITY / 2), node.ties.splice(LEAF_CAPACITY / 2), node.items.splice(LEAF_CAPACITY / 2));
      return { separator: right.keys[0]!, separatorTie: right.ties[0]!, right };
    }
    const index = childIndex(node, item.sortKey, item.sequence);
    for (let i = 0; i < index; i++) this.insertedRank += node.counts[i]!;
    const child = node.children[index]!;
    const split = this.insertInto(child, item);
    node.size++;
    if (!split) {
      node.counts[index]!++;
      return undefined;
    }
    node.counts[index] = child.size;
    node.children.splice(index + 1, 0, split.right);
    node.counts.splice(index + 1, 0, split.right.size);
    node.separators.splice(index, 0, split.separator);
    node.separatorTies.splice(index, 0, split.separatorTie);
    if (node.children.length <= INNER_CAPACITY) return undefined;
    return splitInner(node);
  }

  private shiftFrom(node: TreeNode<T>): T {
    if (node instanceof LeafNode) {
      node.keys.shift();
      node.ties.shift();
      return node.items.shift()!;
    }
    const child = node.children[0]!;
    const removed = this.shiftFrom(child);
    node.counts[0]!--;
    node.size--;
    // The first leaf is drained from its front and is the next one drained again: merging it
    // with its neighbour below the minimum fill would copy entries that are about to leave. It
    // is dropped once empty instead; inner nodes keep their minimum, so the height stays
    // logarithmic.
    if (child instanceof LeafNode) {
      if (child.items.length === 0 && node.children.length > 1) removeChild(node, 0);
    } else if (child.children.length < INNER_MIN) {
      rebalanceChild(node, 0);
    }
    return removed;
  }

  private deleteFrom(node: TreeNode<T>, sortKey: number, tie: number): T | undefined {
    if (node instanceof LeafNode) {
      const position = lowerBound(node, sortKey, tie);
      if (!isAt(node, position, sortKey, tie)) return undefined;
      removeAt(node.keys, position);
      removeAt(node.ties, position);
      return removeAt(node.items, position);
    }
    const index = childIndex(node, sortKey, tie);
    const child = node.children[index]!;
    const removed = this.deleteFrom(child, sortKey, tie);
    if (removed === undefined) return undefined;
    node.counts[index]!--;
    node.size--;
    if (fill(child) < (child instanceof LeafNode ? LEAF_MIN : INNER_MIN)) rebalanceChild(node, index);
    return removed;
  }
}

function fill<T extends Keyed>(node: TreeNode<T>): number {
  return node instanceof LeafNode ? node.items.length : node.children.length;
}

/**
 * Restores the fill of an underfull child: merges it with a neighbour when both fit in one
 * node, otherwise shares the neighbour's entries evenly between the two. Either way every
 * node but the root keeps at least the minimum fill, so the height stays logarithmic and no
 * empty node is ever left behind.
 */
function rebalanceChild<T extends Keyed>(parent: InnerNode<T>, index: number): void {
  if (parent.children.length < 2) return;
  const leftIndex = index > 0 ? index - 1 : index;
  const left = parent.children[leftIndex]!;
  const right = parent.children[leftIndex + 1]!;
  if (left instanceof LeafNode && right instanceof LeafNode) {
    const keys = left.keys.concat(right.keys);
    const ties = left.ties.concat(right.ties);
    const items = left.items.concat(right.items);
    if (items.length <= LEAF_CAPACITY) {
      left.keys = keys;
      left.ties = ties;
      left.items = items;
      removeChild(parent, leftIndex + 1);
    } else {
      const half = items.length >> 1;
      left.keys = keys.slice(0, half);
      left.ties = ties.slice(0, half);
      left.items = items.slice(0, half);
      right.keys = keys.slice(half);
      right.ties = ties.slice(half);
      right.items = items.slice(half);
      parent.separators[leftIndex] = right.keys[0]!;
      parent.separatorTies[leftIndex] = right.ties[0]!;
      parent.counts[leftIndex + 1] = right.size;
    }
  } else if (left instanceof InnerNode && right instanceof InnerNode) {
    const children = left.children.concat(right.children);
    const counts = left.counts.concat(right.counts);
    const separators = [...left.separators, parent.separators[leftIndex]!, ...right.separators];
    const separatorTies = [...left.separatorTies, parent.separatorTies[leftIndex]!, ...right.separatorTies];
    if (children.length <= INNER_CAPACITY) {
      Object.assign(left, { children, counts, separators, separatorTies, size: left.size + right.size });
      removeChild(parent, leftIndex + 1);
    } else {
      const half = children.length >> 1;
      Object.assign(left, {
        children: children.slice(0, half),
        counts: counts.slice(0, half),
        separators: separators.slice(0, half - 1),
        separatorTies: separatorTies.slice(0, half - 1),
      });
      Object.assign(right, { children: children.slice(half), counts: counts.slice(half), separators: separators.slice(half), separatorTies: separatorTies.slice(half) });
      left.size = sum(left.counts);
      right.size = sum(right.counts);
      parent.separators[leftIndex] = separators[half - 1]!;
      parent.separatorTies[leftIndex] = separatorTies[half - 1]!;
      parent.counts[leftIndex + 1] = right.size;
    }
  }
  parent.counts[leftIndex] = left.size;
}

/** Drops child `index` and the separator that bounds it from the left (for the first child, the one after it). */
function removeChild<T extends Keyed>(parent: InnerNode<T>, index: number): void {
  const separator = Math.max(0, index - 1);
  parent.children.splice(index, 1);
  parent.counts.splice(index, 1);
  parent.separators.splice(separator, 1);
  parent.separatorTies.splice(separator, 1);
}

/**
 * Puts `value` at `position`, moving what follows one place on. Cheaper than splice, which
 * allocates the array of removed items it returns even when it removes none; an append (fifo's
 * case: every arrival goes last) is a plain push.
 */
function insertAt<V>(array: V[], position: number, value: V): void {
  let index = array.length;
  if (index === position) {
    array.push(value);
    return;
  }
  array.push(array[index - 1]!);
  for (index--; index > position; index--) array[index] = array[index - 1]!;
  array[position] = value;
}

/** Takes out and returns the value at `position`, moving what follows one place back (splice without its result array). */
function removeAt<V>(array: V[], position: number): V {
  const removed = array[position]!;
  const last = array.length - 1;
  for (let index = position; index < last; index++) array[index] = array[index + 1]!;
  array.pop();
  return removed;
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function splitInner<T extends Keyed>(node: InnerNode<T>): Split<T> {
  const half = node.children.length >> 1;
  const children = node.children.splice(half);
  const counts = node.counts.splice(half);
  const separators = node.separators.splice(half);
  const separatorTies = node.separatorTies.splice(half);
  const separator = node.separators.pop()!;
  const separatorTie = node.separatorTies.pop()!;
  const rightSize = sum(counts);
  node.size -= rightSize;
  return { separator, separatorTie, right: new InnerNode(children, separators, separatorTies, counts, rightSize) };
}

function nextLeaf<T extends Keyed>(path: { node: InnerNode<T>; index: number }[]): LeafNode<T> | undefined {
  while (path.length > 0) {
    const top = path[path.length - 1]!;
    if (top.index + 1 < top.node.children.length) {
      top.index++;
      let node = top.node.children[top.index]!;
      while (node instanceof InnerNode) {
        path.push({ node, index: 0 });
        node = node.children[0]!;
      }
      return node;
    }
    path.pop();
  }
  return undefined;
}

/** Index of the child whose range holds (sortKey, tie). */
function childIndex<T extends Keyed>(node: InnerNode<T>, sortKey: number, tie: number): number {
  const separators = node.separators;
  let low = 0;
  let high = separators.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const separator = separators[middle]!;
    if (sortKey < separator || (sortKey === separator && tie < node.separatorTies[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** First position in the leaf whose item is at or after (sortKey, tie). */
function lowerBound<T extends Keyed>(leaf: LeafNode<T>, sortKey: number, tie: number): number {
  const keys = leaf.keys;
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const key = keys[middle]!;
    if (key < sortKey || (key === sortKey && leaf.ties[middle]! < tie)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isAt<T extends Keyed>(leaf: LeafNode<T>, position: number, sortKey: number, tie: number): boolean {
  return leaf.keys[position] === sortKey && leaf.ties[position] === tie;
}
