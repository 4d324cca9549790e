import { PendingQueue } from './pending-queue.js';

function queueWith(...entries: [id: string, priority: 'critical' | 'high' | 'normal' | 'low' | 'background', at?: number][]) {
  const queue = new PendingQueue<null>();
  for (const [id, priority, at] of entries) queue.enqueue(id, `user-${id}`, priority, at ?? 0, null);
  return queue;
}

const drain = (queue: PendingQueue<null>) => {
  const order: string[] = [];
  for (let next = queue.takeNext(); next; next = queue.takeNext()) order.push(next.executionId);
  return order;
};

describe('PendingQueue', () => {
  it('orders by priority, then first come first served', () => {
    const queue = queueWith(['a', 'low'], ['b', 'normal'], ['c', 'critical'], ['d', 'normal'], ['e', 'background'], ['f', 'high']);
    expect(drain(queue)).toEqual(['c', 'f', 'b', 'd', 'a', 'e']);
  });

  it('reports the true rank, not a storage index', () => {
    const queue = queueWith(['a', 'normal'], ['b', 'normal'], ['c', 'normal'], ['d', 'high']);
    expect(['a', 'b', 'c', 'd'].map((id) => queue.rank(id))).toEqual([1, 2, 3, 0]);
    expect(queue.rank('missing')).toBe(-1);
  });

  it.each(['fifo', 'fair'] as const)('returns from enqueue the position rank reports afterwards (%s)', (order) => {
    const queue = new PendingQueue<null>({ order, agingMs: 0, defaultUserWeight: 1 });
    const levels = ['critical', 'high', 'normal', 'low', 'background'] as const;
    // Enough entries for several tree leaves per level, with takes and removals in between so
    // that entries land before, among and after others of their level.
    for (let i = 0; i < 3000; i++) {
      const id = `x${i}`;
      const { entry, position } = queue.enqueue(id, `user-${(i * 7) % 13}`, levels[(i * 3) % 5]!, i, null);
      expect(entry.executionId).toBe(id);
      expect(position).toBe(queue.rank(id));
      if (i % 4 === 3) queue.takeNext();
      if (i % 9 === 8) queue.remove(`x${i - 5}`);
    }
  });

  it('keeps arrival order within the new level when reprioritised', () => {
    const queue = queueWith(['a', 'high'], ['b', 'low'], ['c', 'high'], ['d', 'low']);
    expect(queue.reprioritize('d', 'high')).toBe(2);
    expect(queue.reprioritize('b', 'high')).toBe(1);
    expect(queue.countsByPriority()).toMatchObject({ high: 4, low: 0 });
    expect(drain(queue)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('removes by id and keeps counts', () => {
    const queue = queueWith(['a', 'normal'], ['b', 'high'], ['c', 'normal']);
    expect(queue.remove('b')?.executionId).toBe('b');
    expect(queue.remove('b')).toBeUndefined();
    expect(queue.size).toBe(2);
    expect(queue.countsByPriority()).toEqual({ critical: 0, high: 0, normal: 2, low: 0, background: 0 });
    expect([...queue.inOrder(1)].map((entry) => entry.executionId)).toEqual(['c']);
  });

  it('finds the oldest entry whatever its priority, skipping removed ones', () => {
    const queue = queueWith(['a', 'low', 10], ['b', 'critical', 20], ['c', 'normal', 30]);
    expect(queue.oldest()?.executionId).toBe('a');
    queue.remove('a');
    expect(queue.oldest()?.executionId).toBe('b');
  });

  it('removes entries enqueued before a cutoff, oldest first', () => {
    const queue = queueWith(['a', 'low', 10], ['b', 'critical', 20], ['c', 'normal', 30], ['d', 'high', 40]);
    queue.remove('b');
    expect(queue.removeEnqueuedBefore(35).map((entry) => entry.executionId)).toEqual(['a', 'c']);
    expect(drain(queue)).toEqual(['d']);
  });

  it('finds the oldest entry in O(log n) reads, whatever levels the others sit in', () => {
    const queue = new PendingQueue<null>();
    for (let i = 0; i < 5000; i++) queue.enqueue(`x${i}`, 'u', (['critical', 'high', 'normal', 'low', 'background'] as const)[i % 5], i, null);
    queue.reprioritize('x0', 'background');
    expect(queue.oldest()?.executionId).toBe('x0');
    queue.remove('x0');
    expect(queue.oldest()?.executionId).toBe('x1');
    expect(queue.removeEnqueuedBefore(100)).toHaveLength(99);
    expect(queue.oldest()?.executionId).toBe('x100');
  });
});
