import { ExecutionIdIndex } from './execution-id-index.js';

interface Item {
  executionId: string;
  idHash: number;
  label: string;
}

/** A hash that sends ids named `<slot>:<anything>` to `slot`, so tests choose the collisions. */
const chosenHash = (executionId: string) => Number(executionId.split(':')[0]);

function itemFor(index: ExecutionIdIndex<Item>, executionId: string, label = executionId): Item {
  return { executionId, idHash: index.hashOf(executionId), label };
}

describe('ExecutionIdIndex', () => {
  it('finds, replaces and forgets items by id', () => {
    const index = new ExecutionIdIndex<Item>();
    const first = itemFor(index, 'exec-1');
    index.set(first);
    index.set(itemFor(index, 'exec-2'));
    expect(index.get('exec-1')).toBe(first);
    expect(index.has('exec-3')).toBe(false);

    const replacement = itemFor(index, 'exec-1', 'second');
    index.set(replacement);
    expect(index.size).toBe(2);
    expect(index.get('exec-1')?.label).toBe('second');

    expect(index.delete(first)).toBe(false);
    expect(index.delete(replacement)).toBe(true);
    expect(index.get('exec-1')).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('keeps a probe run intact when an item in its middle leaves, across the end of the table', () => {
    const index = new ExecutionIdIndex<Item>(chosenHash);
    // Capacity 16: all three want slot 15, so they sit in 15, 0 and 1; a fourth wants slot 0.
    const [a, b, c, d] = ['15:a', '15:b', '15:c', '16:d'].map((id) => itemFor(index, id));
    for (const item of [a!, b!, c!, d!]) index.set(item);

    expect(index.delete(a!)).toBe(true);
    expect(index.get('15:b')).toBe(b);
    expect(index.get('15:c')).toBe(c);
    expect(index.get('16:d')).toBe(d);
    expect(index.get('15:a')).toBeUndefined();

    expect(index.delete(c!)).toBe(true);
    expect([index.get('15:b'), index.get('16:d'), index.get('15:c')]).toEqual([b, d, undefined]);
  });

  it('leaves an item where it is when the gap lies before its home slot, across the end of the table', () => {
    const index = new ExecutionIdIndex<Item>(chosenHash);
    // x sits in 14, y in 15 (its home), z wraps to 0 with home 15: neither may move into 14.
    const [x, y, z] = ['14:x', '15:y', '15:z'].map((id) => itemFor(index, id));
    for (const item of [x!, y!, z!]) index.set(item);
    index.delete(x!);
    expect([index.get('15:y'), index.get('15:z')]).toEqual([y, z]);
  });

  it('agrees with a Map through growth and heavy collisions', () => {
    // Ids hash to one of 40 values spread over 32 bits: long probe runs that wrap around the
    // end of the table at every capacity, shifts on every delete, and several doublings.
    const index = new ExecutionIdIndex<Item>(chosenHash);
    const model = new Map<string, Item>();
    let state = 7;
    const next = (bound: number) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % bound;
    };
    const hashes = Array.from({ length: 40 }, () => 1 + next(0x7ffffffe));
    for (let step = 0; step < 20_000; step++) {
      const id = `${hashes[next(40)]}:${next(400)}`;
      const present = model.get(id);
      if (present && next(3) > 0) {
        expect(index.delete(present)).toBe(true);
        model.delete(id);
      } else if (!present) {
        const item = itemFor(index, id);
        index.set(item);
        model.set(id, item);
      }
      expect(index.get(id)).toBe(model.get(id));
    }
    expect(index.size).toBe(model.size);
    for (const [id, item] of model) expect(index.get(id)).toBe(item);
    for (const hash of hashes) for (let n = 0; n < 400; n++) expect(index.has(`${hash}:${n}`)).toBe(model.has(`${hash}:${n}`));
  });

  it('spreads ordinary ids over the table', () => {
    const index = new ExecutionIdIndex<Item>();
    const slots = new Set<number>();
    for (let n = 0; n < 1000; n++) slots.add(index.hashOf(`exec-${n}`) & 1023);
    // 1000 ids over 1024 slots by a uniform hash land on about 632 distinct slots.
    expect(slots.size).toBeGreaterThan(580);
  });
});
