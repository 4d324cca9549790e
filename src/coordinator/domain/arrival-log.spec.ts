import { ArrivalLog } from './arrival-log.js';

interface Item {
  readonly sequence: number;
}

/** A log and the set it should agree with, driven by the same steps. */
function logWithModel() {
  const log = new ArrivalLog<Item>();
  const pending = new Map<number, Item>();
  let next = 0;
  return {
    log,
    add(): Item {
      const item = { sequence: next++ };
      log.add(item);
      pending.set(item.sequence, item);
      return item;
    },
    depart(item: Item): void {
      pending.delete(item.sequence);
      log.departed(item);
    },
    expectedFirst(): Item | undefined {
      let earliest: Item | undefined;
      for (const item of pending.values()) if (!earliest || item.sequence < earliest.sequence) earliest = item;
      return earliest;
    },
    pendingItems: () => [...pending.values()],
  };
}

describe('ArrivalLog', () => {
  it('answers the earliest arrival still pending, whatever order entries leave in', () => {
    const subject = logWithModel();
    const items = Array.from({ length: 6 }, () => subject.add());
    expect(subject.log.first()).toBe(items[0]);
    subject.depart(items[2]!);
    subject.depart(items[0]!);
    expect(subject.log.first()).toBe(items[1]);
    subject.depart(items[1]!);
    expect(subject.log.first()).toBe(items[3]);
    for (const item of items.slice(3)) subject.depart(item);
    expect(subject.log.first()).toBeUndefined();
    const later = subject.add();
    expect(subject.log.first()).toBe(later);
  });

  it('stays exact through compactions, bit-set growth and a long-lingering oldest entry', () => {
    const subject = logWithModel();
    const lingering = subject.add();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Many arrivals pass the lingering entry and leave in random order: the log compacts many
    // times and its bit set grows well past its first size.
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 500; i++) subject.add();
      const others = subject.pendingItems().filter((item) => item !== lingering);
      for (const item of others) if (random() < 0.8) subject.depart(item);
      expect(subject.log.first()).toBe(lingering);
    }
    subject.depart(lingering);
    expect(subject.log.first()).toBe(subject.expectedFirst());
    while (subject.log.first()) {
      const remaining = subject.pendingItems();
      subject.depart(remaining[Math.floor(random() * remaining.length)]!);
      expect(subject.log.first()).toBe(subject.expectedFirst());
    }
  });

  it('stays exact while the oldest pending entry keeps moving on (the bit set is rebased)', () => {
    const subject = logWithModel();
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 300; i++) subject.add();
      for (const item of subject.pendingItems()) if (random() < 0.7) subject.depart(item);
      expect(subject.log.first()).toBe(subject.expectedFirst());
    }
  });
});
