import fc from 'fast-check';
import { TurnBuckets } from './turn-buckets.js';

interface Item {
  sortKey: number;
  sequence: number;
}

type Operation = { kind: 'insert'; key: number } | { kind: 'delete'; pick: number } | { kind: 'shift' };

const compareItems = (a: Item, b: Item) => a.sortKey - b.sortKey || a.sequence - b.sequence;
const label = (item: Item | undefined) => (item ? `${item.sortKey}/${item.sequence}` : undefined);

/**
 * Runs the operations on TurnBuckets (rounds `width` wide) and on a sorted array, comparing
 * every answer, then every rank and every page. New items take increasing sequences, as
 * arrivals do; a delete picks an item present (or, for `pick` past the end, one that is not).
 */
function checkAgainstSortedArray(width: number, operations: Operation[]): void {
  const buckets = new TurnBuckets<Item>(width);
  const reference: Item[] = [];
  let sequence = 0;
  for (const operation of operations) {
    if (operation.kind === 'insert') {
      const item = { sortKey: operation.key, sequence: sequence++ };
      const rank = buckets.insert(item);
      reference.push(item);
      reference.sort(compareItems);
      expect(rank).toBe(reference.indexOf(item));
    } else if (operation.kind === 'shift') {
      expect(label(buckets.shift())).toBe(label(reference.shift()));
    } else if (operation.pick < reference.length) {
      const [victim] = reference.splice(operation.pick, 1);
      expect(buckets.delete(victim!.sortKey, victim!.sequence)).toBe(victim);
    } else {
      expect(buckets.delete(operation.pick, -1)).toBeUndefined();
    }
    expect(buckets.size).toBe(reference.length);
    expect(label(buckets.first())).toBe(label(reference[0]));
  }
  buckets.assertValid();
  reference.forEach((item, rank) => expect(buckets.rank(item.sortKey, item.sequence)).toBe(rank));
  expect(buckets.rank(-5, 0)).toBe(-1);
  for (const from of [0, 1, reference.length >> 1, reference.length - 1, reference.length]) {
    expect([...buckets.valuesFrom(from)].map(label)).toEqual(reference.slice(Math.max(0, from)).map(label));
  }
}

/** Keys in the shapes fair order makes: many equal tags, tags a turn apart, far ahead, and below what is there. */
const key = fc.oneof(
  fc.constantFrom(0, 10, 20, 30),
  fc.integer({ min: 0, max: 400 }),
  fc.integer({ min: 0, max: 100_000 }),
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: key.map((value) => ({ kind: 'insert' as const, key: value })) },
  { weight: 2, arbitrary: fc.nat({ max: 400 }).map((pick) => ({ kind: 'delete' as const, pick })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'shift' as const }) },
);

describe('TurnBuckets', () => {
  it('agrees with a sorted array on every insert, delete, shift, rank and page', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 10, 27_720), fc.array(operation, { maxLength: 600 }), (width, operations) => checkAgainstSortedArray(width, operations)),
      { numRuns: 150 },
    );
  });

  it('keeps a large round exact once changes inside it turn it into a tree', () => {
    // 300 equal tags fill one round by appends; inserts and deletes inside it follow.
    const operations: Operation[] = [
      ...Array.from({ length: 300 }, () => ({ kind: 'insert' as const, key: 50 })),
      ...Array.from({ length: 100 }, (_, i) => ({ kind: 'insert' as const, key: 40 + (i % 9) })),
      ...Array.from({ length: 150 }, (_, i) => ({ kind: 'delete' as const, pick: (i * 37) % 250 })),
      ...Array.from({ length: 100 }, () => ({ kind: 'shift' as const })),
    ];
    checkAgainstSortedArray(100, operations);
  });

  it('takes a large round from its front and keeps appending to it', () => {
    // Equal tags only append, so the round stays an array whose front is cut off as it drains.
    const operations: Operation[] = [];
    for (let step = 0; step < 600; step++) {
      operations.push({ kind: 'insert', key: 70 }, { kind: 'insert', key: 70 });
      if (step > 100) operations.push({ kind: 'shift' }, { kind: 'shift' }, { kind: 'shift' });
    }
    checkAgainstSortedArray(100, operations);
  });

  it('follows the virtual time far ahead and takes tags below everything present', () => {
    // A lone user's backlog (one entry per round), rounds far above the counted range, then
    // tags under the lowest round present, while the front is taken.
    const operations: Operation[] = [];
    for (let turn = 0; turn < 2000; turn++) operations.push({ kind: 'insert', key: 5000 + turn * 10 });
    for (let step = 0; step < 1500; step++) {
      operations.push({ kind: 'shift' });
      if (step % 50 === 0) operations.push({ kind: 'insert', key: 1_000_000 + step * 1000 });
      if (step % 70 === 0) operations.push({ kind: 'insert', key: 4000 - step });
    }
    checkAgainstSortedArray(100, operations);
  });

  it('becomes a tree when a tag runs far ahead of the few entries, and rounds again once empty', () => {
    // One user who submitted and cancelled for long: its next tag is millions of rounds ahead.
    const operations: Operation[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      // Two users' turns: rounds of two entries, then of one.
      for (let turn = 0; turn < 50; turn++) operations.push({ kind: 'insert', key: Math.floor(turn / 2) * 3 + (turn > 40 ? 200 : 0) });
      operations.push({ kind: 'insert', key: 50_000_000 + cycle }, { kind: 'insert', key: 7 }, { kind: 'delete', pick: 10 });
      for (let taken = 0; taken < 52; taken++) operations.push({ kind: 'shift' });
    }
    checkAgainstSortedArray(1, operations);
  });

  it('starts over cleanly each time it empties', () => {
    const operations: Operation[] = [];
    for (let cycle = 0; cycle < 50; cycle++) {
      operations.push({ kind: 'insert', key: cycle * 7919 }, { kind: 'insert', key: cycle * 7919 + 3 }, { kind: 'shift' }, { kind: 'shift' }, { kind: 'shift' });
    }
    checkAgainstSortedArray(10, operations);
  });
});
