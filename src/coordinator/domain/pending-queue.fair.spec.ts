import type { Priority } from '../../contracts/priority.constants.js';
import { PendingQueue, type QueuePolicy } from './pending-queue.js';

const FAIR: QueuePolicy = { order: 'fair', agingMs: 0, defaultUserWeight: 1 };

function fairQueue(policy: Partial<QueuePolicy> = {}) {
  return new PendingQueue<null>({ ...FAIR, ...policy });
}

const add = (queue: PendingQueue<null>, id: string, user: string, priority: Priority = 'normal', at = 0) => queue.enqueue(id, user, priority, at, null);

function drain(queue: PendingQueue<null>, count = Infinity): string[] {
  const order: string[] = [];
  for (let next = queue.takeNext(); next; next = order.length < count ? queue.takeNext() : undefined) {
    order.push(next.executionId);
    if (order.length >= count) break;
  }
  return order;
}

describe('PendingQueue under fair order', () => {
  it('lets a user who arrives behind a flood in after one turn, not after the flood', () => {
    const queue = fairQueue();
    for (let i = 0; i < 100; i++) add(queue, `h-${String(i).padStart(3, '0')}`, 'heavy');
    expect(drain(queue, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `h-${String(i).padStart(3, '0')}`));
    const newcomers = Array.from({ length: 20 }, (_, i) => `n-${String(i).padStart(2, '0')}`);
    newcomers.forEach((id, i) => add(queue, id, `user-${i}`));
    // Every newcomer starts at the virtual time of the turn last served, ahead of heavy's next
    // turn, in arrival order among themselves: they run in the next 20 dispatches.
    const positions = newcomers.map((id) => queue.rank(id));
    expect(positions).toEqual(newcomers.map((_, i) => i));
    expect(new Set(positions).size).toBe(20);
    expect(drain(queue, 21)).toEqual([...newcomers, 'h-010']);
  });

  it('keeps each user in arrival order and alternates users of equal weight', () => {
    const queue = fairQueue();
    ['a1', 'a2', 'a3'].forEach((id) => add(queue, id, 'a'));
    ['b1', 'b2', 'b3'].forEach((id) => add(queue, id, 'b'));
    expect(drain(queue)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  });

  it('gives backlogged users turns in proportion to their weights', () => {
    const queue = fairQueue();
    queue.weights.setWeight('w1', 1);
    queue.weights.setWeight('w2', 2);
    queue.weights.setWeight('w4', 4);
    for (let i = 0; i < 700; i++) for (const user of ['w1', 'w2', 'w4']) add(queue, `${user}-${i}`, user);
    const counts = { w1: 0, w2: 0, w4: 0 };
    for (const id of drain(queue, 700)) counts[id.split('-')[0] as keyof typeof counts]++;
    expect(counts).toEqual({ w1: 100, w2: 200, w4: 400 });
  });

  it('starts a returning user at the current virtual time, not where its old turns ended', () => {
    const queue = fairQueue();
    add(queue, 'd1', 'd');
    ['a1', 'a2', 'a3', 'a4'].forEach((id) => add(queue, id, 'a'));
    ['b1', 'b2', 'b3', 'b4'].forEach((id) => add(queue, id, 'b'));
    expect(drain(queue, 6)).toEqual(['d1', 'a1', 'b1', 'a2', 'b2', 'a3']);
    // d's old turn finished at one turn; the level's clock is at a3's start, two turns. Coming
    // back, d starts at that clock: beside b3 (ties go by arrival), not ahead of it.
    add(queue, 'd2', 'd');
    expect(drain(queue)).toEqual(['b3', 'd2', 'a4', 'b4']);
  });

  it('applies a weight change to the next turns only', () => {
    const queue = fairQueue();
    ['a1', 'a2', 'a3'].forEach((id) => add(queue, id, 'a'));
    ['b1', 'b2', 'b3'].forEach((id) => add(queue, id, 'b'));
    const before = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((id) => queue.rank(id));
    queue.weights.setWeight('b', 100);
    expect(['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((id) => queue.rank(id))).toEqual(before);
    ['b4', 'b5'].forEach((id) => add(queue, id, 'b'));
    // b's finish tag was three turns; at weight 100 its next entries take 1/100 of a turn each.
    expect(drain(queue)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'b4', 'b5']);
  });

  it('keeps priority levels strictly first', () => {
    const queue = fairQueue();
    ['a1', 'a2'].forEach((id) => add(queue, id, 'a', 'low'));
    add(queue, 'b1', 'b', 'high');
    add(queue, 'c1', 'c', 'critical');
    expect(drain(queue)).toEqual(['c1', 'b1', 'a1', 'a2']);
  });

  it('finds the earliest arrival for the stale sweep, whatever the fair order', () => {
    const queue = fairQueue();
    ['a1', 'a2', 'a3'].forEach((id, i) => add(queue, id, 'a', 'normal', i));
    add(queue, 'b1', 'b', 'normal', 10);
    expect(queue.oldest()?.executionId).toBe('a1');
    expect(queue.removeEnqueuedBefore(2).map((entry) => entry.executionId)).toEqual(['a1', 'a2']);
    expect(queue.oldest()?.executionId).toBe('a3');
  });

  it('moves a reprioritised execution as its user\u2019s next turn in the new level', () => {
    const queue = fairQueue();
    ['a1', 'a2'].forEach((id) => add(queue, id, 'a', 'high'));
    ['b1', 'b2'].forEach((id) => add(queue, id, 'b', 'high'));
    add(queue, 'a3', 'a', 'low');
    expect(queue.reprioritize('a3', 'high', 0)).toBe(4);
    expect(drain(queue)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
  });
});

describe('PendingQueue aging', () => {
  it('lifts a waiting execution one level per step, up to high and never into critical', () => {
    for (const order of ['fifo', 'fair'] as const) {
      const queue = new PendingQueue<null>({ order, agingMs: 60_000, defaultUserWeight: 1 });
      add(queue, 'bg', 'u', 'background', 0);
      add(queue, 'n1', 'v', 'normal', 1);
      add(queue, 'c1', 'w', 'critical', 2);
      expect(queue.promoteDue(59_999)).toBe(0);
      expect(queue.get('bg')?.level).toBe('background');
      expect(queue.promoteDue(60_000)).toBe(1);
      expect(queue.get('bg')?.level).toBe('low');
      // Three steps later than that everything that can move has reached high.
      expect(queue.promoteDue(10 * 60_000)).toBe(3);
      expect(queue.get('bg')).toMatchObject({ level: 'high', priority: 'background' });
      expect(queue.get('n1')?.level).toBe('high');
      expect(queue.get('c1')?.level).toBe('critical');
      expect(queue.promoteDue(100 * 60_000)).toBe(0);
      expect(queue.countsByPriority()).toEqual({ critical: 1, high: 2, normal: 0, low: 0, background: 0 });
      // Under fifo the older execution goes first in its new level; under fair each user's first
      // turn there ties at the level's clock, and ties go by arrival.
      expect(drain(queue)).toEqual(['c1', 'bg', 'n1']);
    }
  });

  it('restarts the aging of a reprioritised execution from the move', () => {
    const queue = new PendingQueue<null>({ order: 'fifo', agingMs: 60_000, defaultUserWeight: 1 });
    add(queue, 'x', 'u', 'normal', 0);
    queue.reprioritize('x', 'background', 50_000);
    expect(queue.promoteDue(100_000)).toBe(0);
    expect(queue.promoteDue(110_000)).toBe(1);
    expect(queue.get('x')?.level).toBe('low');
  });

  it('starts a user with nothing pending or running at the virtual time, and says who can still be passed', () => {
    const queue = fairQueue();
    add(queue, 'a1', 'a');
    expect(drain(queue, 1)).toEqual(['a1']);
    // a1 still runs: a's next turn is behind newcomers, who may still pass it.
    const { entry: busy } = queue.enqueue('a2', 'a', 'normal', 1, null, { userIdle: false });
    expect(queue.canBePassed(busy)).toBe(true);
    // Once a has nothing running, its earlier turn no longer counts.
    const { entry: idle } = queue.enqueue('b1', 'b', 'normal', 2, null, { userIdle: true });
    expect(queue.canBePassed(idle)).toBe(false);
    expect(drain(queue)).toEqual(['b1', 'a2']);
  });

  it('settles every turn at a level only when an arrival finds it empty with a slot free', () => {
    const flooded = fairQueue();
    for (let i = 0; i < 3; i++) flooded.enqueue(`h${i}`, 'heavy', 'normal', 0, null, { slotFree: true });
    drain(flooded, 3);
    // Every slot is taken by heavy's runs: its turns still count, the newcomer goes first.
    flooded.enqueue('h3', 'heavy', 'normal', 1, null, { slotFree: false });
    flooded.enqueue('n1', 'newcomer', 'normal', 1, null, { userIdle: true, slotFree: false });
    expect(drain(flooded)).toEqual(['n1', 'h3']);

    const quiet = fairQueue();
    for (let i = 0; i < 3; i++) quiet.enqueue(`h${i}`, 'heavy', 'normal', 0, null, { slotFree: true });
    drain(quiet, 3);
    // A slot is free and nothing waits: the busy period is over, heavy's turns are settled.
    const { entry: settled } = quiet.enqueue('h3', 'heavy', 'normal', 1, null, { slotFree: true });
    expect(quiet.canBePassed(settled)).toBe(false);
    quiet.enqueue('n1', 'newcomer', 'normal', 1, null, { userIdle: true, slotFree: false });
    expect(drain(quiet)).toEqual(['h3', 'n1']);
  });
});
