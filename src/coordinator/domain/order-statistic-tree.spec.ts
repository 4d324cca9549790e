import fc from 'fast-check';
import { OrderStatisticTree } from './order-statistic-tree.js';

interface Item {
  sortKey: number;
  sequence: number;
}

/** Items whose keys are drawn from a small range, so equal sort keys (ordered by tie key) are common. */
function itemOf(key: number): Item {
  return { sortKey: Math.floor(key / 4), sequence: key % 4 };
}

function compareItems(a: Item, b: Item): number {
  return a.sortKey - b.sortKey || a.sequence - b.sequence;
}

const label = (item: Item | undefined) => (item ? `${item.sortKey}/${item.sequence}` : undefined);

/** Compares every read of the tree with a sorted array after each operation. */
function checkAgainstSortedArray(operations: { insert: boolean; key: number }[]): void {
  const tree = new OrderStatisticTree<Item>();
  let reference: Item[] = [];
  const indexOf = (item: Item) => reference.findIndex((other) => compareItems(other, item) === 0);
  for (const { insert, key } of operations) {
    const item = itemOf(key);
    const index = indexOf(item);
    if (insert && index < 0) {
      const rank = tree.insert(item);
      reference = [...reference, item].sort(compareItems);
      expect(rank).toBe(indexOf(item));
    } else if (!insert && key % 7 === 0) {
      // Some removals take the first item instead, by the comparison-free path.
      expect(label(tree.shift())).toBe(label(reference[0]));
      reference.shift();
    } else if (!insert) {
      expect(label(tree.delete(item.sortKey, item.sequence))).toBe(index < 0 ? undefined : label(item));
      if (index >= 0) reference.splice(index, 1);
    }
    expect(tree.size).toBe(reference.length);
    expect(label(tree.first())).toBe(label(reference[0]));
  }
  tree.assertValid();
  reference.forEach((item, rank) => {
    expect(tree.rank(item.sortKey, item.sequence)).toBe(rank);
    expect(label(tree.at(rank))).toBe(label(item));
  });
  expect([...tree.valuesFrom(0)].map(label)).toEqual(reference.map(label));
  const half = Math.floor(reference.length / 2);
  expect([...tree.valuesFrom(half)].map(label)).toEqual(reference.slice(half).map(label));
  expect(tree.rank(-1, 0)).toBe(-1);
  expect(tree.rank(0, 99)).toBe(-1);
  expect(tree.at(reference.length)).toBeUndefined();
}

describe('OrderStatisticTree', () => {
  it('agrees with a sorted array under random inserts and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ insert: fc.boolean(), key: fc.integer({ min: 0, max: 3000 }) }), { maxLength: 1500 }), (operations) =>
        checkAgainstSortedArray(operations),
      ),
      { numRuns: 40 },
    );
  });

  it('keeps ranks exact through many splits and merges', () => {
    const insertAll = Array.from({ length: 6000 }, (_, i) => ({ insert: true, key: (i * 7919) % 6000 }));
    const deleteMost = Array.from({ length: 5500 }, (_, i) => ({ insert: false, key: (i * 104_729) % 6000 }));
    checkAgainstSortedArray([...insertAll, ...deleteMost]);
  });

  it('keeps the smallest item reachable when a three-level tree drains from the left', () => {
    // Regression: draining the leftmost subtree once left an empty leaf under a one-child node,
    // so first() answered undefined while the tree still held thousands of items.
    const tree = new OrderStatisticTree<Item>();
    let state = 12345;
    const keys = new Set<number>();
    while (keys.size < 150_000) {
      state = (state * 1664525 + 1013904223) >>> 0;
      keys.add(state);
    }
    for (const key of keys) tree.insert({ sortKey: key, sequence: 0 });
    let previous = -1;
    for (let taken = 0; taken < 120_000; taken++) {
      const first = tree.first();
      if (first === undefined || first.sortKey <= previous) throw new Error(`first() gave ${first?.sortKey} after ${previous} at step ${taken}`);
      previous = first.sortKey;
      if (taken % 2 === 0) tree.delete(first!.sortKey, 0);
      else expect(tree.shift()).toBe(first);
      if (taken % 20_000 === 0) tree.assertValid();
    }
    expect(tree.size).toBe(30_000);
    tree.assertValid();
  });

  it('stays exact when the first leaf, drained below its minimum by shifts, takes inserts and deletes', () => {
    // Shift lets the first leaf run below the minimum fill and drops it once empty; new items
    // that land in front and deletes near the front must still find a consistent tree.
    const tree = new OrderStatisticTree<Item>();
    const live = new Map<number, Item>();
    let state = 99;
    const next = (bound: number) => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state % bound;
    };
    for (let key = 0; key < 60_000; key++) {
      const item = { sortKey: key * 4, sequence: 0 };
      tree.insert(item);
      live.set(item.sortKey, item);
    }
    let low = 0;
    for (let step = 0; step < 50_000; step++) {
      const first = tree.shift()!;
      expect(live.delete(first.sortKey)).toBe(true);
      low = first.sortKey;
      if (step % 3 === 0) {
        // Just behind the new front: into the first leaf, wherever it ends.
        const item = { sortKey: low + 1 + next(40), sequence: step + 1 };
        if (!live.has(item.sortKey)) {
          tree.insert(item);
          live.set(item.sortKey, item);
        }
      }
      if (step % 5 === 0) {
        const near = low + 4 * (1 + next(30));
        const victim = live.get(near);
        if (victim) {
          expect(tree.delete(victim.sortKey, victim.sequence)).toBe(victim);
          live.delete(near);
        }
      }
      if (step % 10_000 === 0) tree.assertValid();
    }
    tree.assertValid();
    const expected = [...live.values()].sort(compareItems);
    expect(tree.size).toBe(expected.length);
    expect([...tree.valuesFrom(0)]).toEqual(expected);
    expected.forEach((item, rank) => expect(tree.rank(item.sortKey, item.sequence)).toBe(rank));
  });

  it('empties and refills cleanly', () => {
    const tree = new OrderStatisticTree<Item>();
    for (let round = 0; round < 3; round++) {
      for (let key = 0; key < 5000; key++) tree.insert({ sortKey: key % 50, sequence: key });
      for (let key = 0; key < 5000; key++) expect(tree.delete(key % 50, key)?.sortKey).toBe(key % 50);
      expect(tree.size).toBe(0);
      expect(tree.first()).toBeUndefined();
      expect([...tree.valuesFrom(0)]).toEqual([]);
    }
  });
});
