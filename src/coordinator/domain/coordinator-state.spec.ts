import type { Priority } from '../../contracts/priority.constants.js';
import { CoordinatorState } from './coordinator-state.js';
import type { QueueLimits } from './queue-limits.js';

const limits = (overrides: Partial<QueueLimits> = {}): QueueLimits => ({
  maxQueueSize: 100,
  maxExecutionsPerUser: 100,
  staleTimeoutSeconds: 60,
  maxActiveExecutions: 100,
  recentIdsCapacity: 1000,
  leaseSeconds: 600,
  dispatchGraceSeconds: 30,
  ...overrides,
});

const request = (executionId: string, userId = 'u1', priority: Priority = 'normal') => ({ executionId, userId, priority, payload: executionId });

/** Fills a state with pending executions, each at the given time (ms). */
function stateWith(config: Partial<QueueLimits>, ...ids: [id: string, user?: string, at?: number, priority?: Priority][]) {
  const state = new CoordinatorState<string>(limits(config));
  for (const [id, user, at, priority] of ids) state.admit(request(id, user, priority), at ?? 0);
  return state;
}

describe('CoordinatorState', () => {
  describe('admission', () => {
    const cases: {
      name: string;
      config?: Partial<QueueLimits>;
      existing: [string, string?, number?][];
      dispatched?: number;
      released?: string[];
      incoming: [string, string];
      now?: number;
      expected: object;
    }[] = [
      { name: 'accepts into an empty queue at position 0', existing: [], incoming: ['x', 'u1'], expected: { kind: 'accepted', position: 0 } },
      { name: 'reports the true rank behind earlier arrivals', existing: [['a'], ['b']], incoming: ['x', 'u2'], expected: { kind: 'accepted', position: 2 } },
      { name: 'ignores a duplicate of a pending id', existing: [['x']], incoming: ['x', 'u1'], expected: { kind: 'duplicate' } },
      { name: 'ignores a duplicate of an active id', existing: [['x']], dispatched: 1, incoming: ['x', 'u1'], expected: { kind: 'duplicate' } },
      {
        name: 'ignores a duplicate of a recently finished id',
        existing: [['x']],
        dispatched: 1,
        released: ['x'],
        incoming: ['x', 'u1'],
        expected: { kind: 'duplicate' },
      },
      {
        name: 'rejects when the queue is full and nothing is stale',
        config: { maxQueueSize: 2 },
        existing: [['a', 'u1', 0], ['b', 'u2', 0]],
        incoming: ['x', 'u3'],
        now: 60_000,
        expected: { kind: 'queue_full', maxQueueSize: 2, expired: [] },
      },
      {
        name: 'sweeps stale entries when full, then accepts',
        config: { maxQueueSize: 2 },
        existing: [['a', 'u1', 0], ['b', 'u2', 50_000]],
        incoming: ['x', 'u3'],
        now: 60_001,
        expected: { kind: 'accepted', position: 1, expired: [expect.objectContaining({ executionId: 'a' })] },
      },
      {
        name: 'rejects a user at the limit counting pending and active',
        config: { maxExecutionsPerUser: 2 },
        existing: [['a', 'u1'], ['b', 'u1']],
        dispatched: 1,
        incoming: ['x', 'u1'],
        expected: { kind: 'user_limit', limit: 2, current: 2, expired: [] },
      },
      {
        name: 'admits another user while one is at the limit',
        config: { maxExecutionsPerUser: 1 },
        existing: [['a', 'u1']],
        incoming: ['x', 'u2'],
        expected: { kind: 'accepted', position: 1 },
      },
      {
        name: 'checks the queue size before the per-user limit',
        config: { maxQueueSize: 1, maxExecutionsPerUser: 1 },
        existing: [['a', 'u1']],
        incoming: ['x', 'u1'],
        expected: { kind: 'queue_full' },
      },
    ];

    it.each(cases)('$name', ({ config, existing, dispatched = 0, released = [], incoming, now = 0, expected }) => {
      const state = stateWith(config ?? {}, ...existing);
      for (let i = 0; i < dispatched; i++) state.dispatchNext(0, `saga-${i}`);
      for (const id of released) state.release(id);
      expect(state.admit(request(incoming[0], incoming[1]), now)).toEqual(expect.objectContaining(expected));
    });

    it('remembers rejected ids so a redelivered rejection is not judged again', () => {
      const state = stateWith({ maxQueueSize: 1 }, ['a']);
      expect(state.admit(request('x', 'u2'), 0).kind).toBe('queue_full');
      state.release('a');
      expect(state.admit(request('x', 'u2'), 0).kind).toBe('duplicate');
    });
  });

  describe('dispatch', () => {
    it('takes by priority then arrival, up to the global limit', () => {
      const state = stateWith({ maxActiveExecutions: 2 }, ['a', 'u', 0, 'low'], ['b', 'u', 0, 'high'], ['c', 'u', 0, 'high']);
      expect(state.dispatchNext(0, 's1')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'b', sagaId: 's1' } });
      expect(state.dispatchNext(0, 's2')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'c' } });
      expect(state.dispatchNext(0, 's3')).toEqual({ kind: 'idle', reason: 'at_capacity' });
      state.release('b');
      expect(state.dispatchNext(0, 's4')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'a' } });
      expect(state.dispatchNext(0, 's5')).toEqual({ kind: 'idle', reason: 'at_capacity' });
      state.release('c');
      expect(state.dispatchNext(0, 's6')).toEqual({ kind: 'idle', reason: 'empty' });
    });

    it('drops an entry older than the stale timeout instead of dispatching it', () => {
      const state = stateWith({ staleTimeoutSeconds: 10 }, ['old', 'u', 0], ['new', 'u', 5_000]);
      expect(state.dispatchNext(10_001, 's')).toMatchObject({ kind: 'expired', execution: { executionId: 'old' } });
      expect(state.dispatchNext(10_001, 's')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'new' } });
      expect(state.userUsage('u')).toEqual({ pending: 0, active: 1 });
    });

    it('keeps an entry exactly at the stale timeout', () => {
      const state = stateWith({ staleTimeoutSeconds: 10 }, ['a', 'u', 0]);
      expect(state.dispatchNext(10_000, 's').kind).toBe('dispatched');
    });

    it('dispatches nothing while held, and resumes', () => {
      const state = stateWith({}, ['a']);
      state.setHeld(true);
      expect(state.dispatchNext(0, 's')).toEqual({ kind: 'idle', reason: 'held' });
      expect(state.admit(request('b'), 0).kind).toBe('accepted');
      state.setHeld(false);
      expect(state.dispatchNext(0, 's').kind).toBe('dispatched');
    });
  });

  describe('release', () => {
    it('frees an active slot and the user count', () => {
      const state = stateWith({}, ['a', 'u']);
      state.dispatchNext(0, 's');
      expect(state.release('a')).toMatchObject({ kind: 'was_active', execution: { executionId: 'a', sagaId: 's' } });
      expect(state.snapshot()).toMatchObject({ activeCount: 0, pendingCount: 0 });
      expect(state.userUsage('u')).toEqual({ pending: 0, active: 0 });
    });

    it('removes a pending execution', () => {
      const state = stateWith({}, ['a', 'u'], ['b', 'u']);
      expect(state.release('a')).toMatchObject({ kind: 'was_pending' });
      expect(state.lookup('b')).toMatchObject({ state: 'pending', position: 0 });
    });

    it('is a no-op for unknown ids and for a second release', () => {
      const state = stateWith({}, ['a']);
      state.dispatchNext(0, 's');
      state.release('a');
      expect(state.release('a')).toEqual({ kind: 'unknown' });
      expect(state.release('never-seen')).toEqual({ kind: 'unknown' });
      expect(state.snapshot().activeCount).toBe(0);
    });
  });

  describe('reprioritize', () => {
    it('moves a pending execution and reports its new position', () => {
      const state = stateWith({}, ['a'], ['b'], ['c']);
      expect(state.reprioritize('c', 'critical')).toEqual({ kind: 'moved', position: 0, priority: 'critical' });
      expect(state.snapshot().byPriority).toMatchObject({ critical: 1, normal: 2 });
    });

    it('refuses an active execution and reports an unknown one', () => {
      const state = stateWith({}, ['a']);
      state.dispatchNext(0, 's');
      expect(state.reprioritize('a', 'high')).toEqual({ kind: 'not_pending', state: 'active' });
      expect(state.reprioritize('zzz', 'high')).toEqual({ kind: 'unknown' });
    });
  });

  it('snapshots depth by priority and the oldest pending time', () => {
    const state = stateWith({}, ['a', 'u', 100, 'low'], ['b', 'u', 200, 'critical']);
    expect(state.snapshot()).toEqual({
      pendingCount: 2,
      activeCount: 0,
      held: false,
      byPriority: { critical: 1, high: 0, normal: 0, low: 1, background: 0 },
      oldestEnqueuedAt: 100,
    });
  });

  describe('listings', () => {
    const ids = (page: { items: { executionId: string }[] }) => page.items.map((item) => item.executionId);

    function mixedState() {
      return stateWith(
        {},
        ['a', 'u1', 0, 'low'],
        ['b', 'u2', 0, 'high'],
        ['c', 'u1', 0, 'high'],
        ['d', 'u3', 0, 'normal'],
        ['e', 'u1', 0, 'critical'],
      );
    }

    it('pages pending executions in queue order with true positions', () => {
      const state = mixedState();
      expect(state.pendingPage({}, 0, 10)).toMatchObject({ total: 5, items: [{ executionId: 'e', position: 0 }, { executionId: 'b', position: 1 }, {}, {}, {}] });
      expect(ids(state.pendingPage({}, 0, 10))).toEqual(['e', 'b', 'c', 'd', 'a']);
      expect(state.pendingPage({}, 3, 10).items.map((item) => [item.executionId, item.position])).toEqual([['d', 3], ['a', 4]]);
      expect(state.pendingPage({}, 9, 10)).toEqual({ items: [], total: 5 });
    });

    it('filters by priority, with positions in the whole queue', () => {
      const state = mixedState();
      expect(state.pendingPage({ priority: 'high' }, 1, 10).items.map((item) => [item.executionId, item.position])).toEqual([['c', 2]]);
      expect(state.pendingPage({ priority: 'high' }, 0, 10).total).toBe(2);
      expect(state.pendingPage({ priority: 'background' }, 0, 10)).toEqual({ items: [], total: 0 });
    });

    it('filters by user and by user and priority', () => {
      const state = mixedState();
      expect(state.pendingPage({ userId: 'u1' }, 0, 10).items.map((item) => [item.executionId, item.position])).toEqual([
        ['e', 0],
        ['c', 2],
        ['a', 4],
      ]);
      expect(ids(state.pendingPage({ userId: 'u1', priority: 'high' }, 0, 10))).toEqual(['c']);
      expect(state.pendingPage({ userId: 'u1' }, 1, 1)).toMatchObject({ total: 3, items: [{ executionId: 'c' }] });
      state.dispatchNext(0, 's');
      expect(ids(state.pendingPage({ userId: 'u1' }, 0, 10))).toEqual(['c', 'a']);
      expect(state.pendingPage({ userId: 'nobody' }, 0, 10)).toEqual({ items: [], total: 0 });
    });

    it('keeps the page of a user exact while many of its executions are dispatched', () => {
      const state = stateWith({ maxActiveExecutions: 1000, maxExecutionsPerUser: 1000, maxQueueSize: 1000 });
      for (let i = 0; i < 200; i++) {
        state.admit(request(`x${i}`, 'u9'), i);
        if (i % 2 === 1) state.dispatchNext(i, `s${i}`);
      }
      const page = state.pendingPage({ userId: 'u9' }, 0, 500);
      expect(page.total).toBe(100);
      expect(ids(page)).toEqual(Array.from({ length: 100 }, (_, i) => `x${100 + i}`));
      expect(state.userUsage('u9')).toEqual({ pending: 100, active: 100 });
    });

    it('pages active executions in dispatch order', () => {
      const state = mixedState();
      for (let i = 0; i < 3; i++) state.dispatchNext(i, `s${i}`);
      expect(state.activePage(0, 10)).toMatchObject({ total: 3, items: [{ executionId: 'e' }, { executionId: 'b' }, { executionId: 'c' }] });
      expect(ids(state.activePage(1, 1))).toEqual(['b']);
    });

    it('lists users with the largest total first', () => {
      const state = mixedState();
      state.dispatchNext(0, 's');
      expect(state.usersPage(0, 10)).toEqual({
        total: 3,
        items: [
          { userId: 'u1', pending: 2, active: 1 },
          { userId: 'u2', pending: 1, active: 0 },
          { userId: 'u3', pending: 1, active: 0 },
        ],
      });
      expect(state.usersPage(2, 10).items).toEqual([{ userId: 'u3', pending: 1, active: 0 }]);
    });
  });
});
