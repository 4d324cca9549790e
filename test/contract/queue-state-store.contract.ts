import { afterEach, describe, expect, it } from '@jest/globals';
import type { Priority } from '../../src/contracts/priority.constants.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import type { ScheduleResult } from '../../src/coordinator/domain/coordinator-outcomes.js';
import type { QueueStateStore, StoredRequest } from '../../src/coordinator/queue-state-store.port.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';

export type StoreFactory = (limits: QueueLimits) => QueueStateStore;

const BASE_LIMITS: QueueLimits = {
  maxQueueSize: 100,
  maxExecutionsPerUser: 100,
  staleTimeoutSeconds: 60,
  maxActiveExecutions: 100,
  recentIdsCapacity: 1000,
  leaseSeconds: 600,
  dispatchGraceSeconds: 30,
};

const SECOND = 1000;

/**
 * The behaviour every QueueStateStore must show, as one suite: each store runs exactly these
 * tests and must give exactly these results.
 */
export function describeQueueStateStoreContract(name: string, factory: StoreFactory): void {
  describe(`QueueStateStore contract: ${name}`, () => {
    const opened: QueueStateStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    function open(overrides: Partial<QueueLimits> = {}): QueueStateStore {
      const store = factory({ ...BASE_LIMITS, ...overrides });
      opened.push(store);
      return store;
    }

    function request(id: string, user = 'u1', priority: Priority = 'normal'): StoredRequest {
      return new ExecutionRequestBuilder().withId(id).withUser(user).withPriority(priority).build();
    }

    const admit = (store: QueueStateStore, id: string, at = 0, user = 'u1', priority: Priority = 'normal') =>
      store.admit({ executionId: id, userId: user, priority, payload: request(id, user, priority) }, at);

    /** One scheduling run allowed one dispatch: its first step, or why it was idle. */
    async function next(store: QueueStateStore, at: number, saga: string) {
      const result = await store.schedule(at, [saga]);
      return result.steps[0] ?? { kind: 'idle' as const, reason: result.idle };
    }

    const describeSteps = (result: ScheduleResult<StoredRequest>) => result.steps.map((step) => `${step.kind}:${step.execution.executionId}`);

    /** Schedules until idle, a few saga ids per run; returns the steps as "kind:id". */
    async function drain(store: QueueStateStore, at = 0): Promise<string[]> {
      const steps: string[] = [];
      for (let run = 0; ; run++) {
        const result = await store.schedule(at, [`saga-${run}-a`, `saga-${run}-b`]);
        steps.push(...describeSteps(result));
        if (result.idle !== null) return steps;
      }
    }

    describe('admission', () => {
      it('answers each request with its true 0-based position across priorities', async () => {
        const store = open();
        expect(await admit(store, 'a')).toMatchObject({ kind: 'accepted', position: 0 });
        expect(await admit(store, 'b', 0, 'u1', 'low')).toMatchObject({ kind: 'accepted', position: 1 });
        expect(await admit(store, 'c', 0, 'u1', 'critical')).toMatchObject({ kind: 'accepted', position: 0 });
        expect(await admit(store, 'd', 0, 'u1', 'normal')).toMatchObject({ kind: 'accepted', position: 2 });
        expect(await admit(store, 'e', 0, 'u1', 'background')).toMatchObject({ kind: 'accepted', position: 4 });
      });

      it('treats an id it holds, or has recently finished or refused, as a duplicate, saying which', async () => {
        const store = open({ maxExecutionsPerUser: 3, maxActiveExecutions: 1 });
        await admit(store, 'a');
        await admit(store, 'b', 0, 'u1', 'low');
        await admit(store, 'c', 0, 'u1', 'high');
        expect(await admit(store, 'b', 0, 'u2', 'critical')).toEqual({ kind: 'duplicate', state: 'pending', position: 2, priority: 'low' });
        await next(store, 0, 's');
        expect(await admit(store, 'c')).toEqual({ kind: 'duplicate', state: 'active' });
        expect(await admit(store, 'd')).toMatchObject({ kind: 'user_limit' });
        expect(await admit(store, 'd', 0, 'u2')).toEqual({ kind: 'duplicate', state: 'refused', refusal: 'user_limit' });
        await store.release('c');
        expect(await admit(store, 'c', 0, 'u2')).toEqual({ kind: 'duplicate', state: 'finished' });
        const full = open({ maxQueueSize: 1 });
        await admit(full, 'x');
        await admit(full, 'y');
        expect(await admit(full, 'y')).toEqual({ kind: 'duplicate', state: 'refused', refusal: 'queue_full' });
      });

      it('forgets the oldest remembered ids beyond its capacity', async () => {
        const store = open({ recentIdsCapacity: 2 });
        for (const id of ['a', 'b', 'c']) {
          await admit(store, id);
          await store.release(id);
        }
        expect(await admit(store, 'a')).toMatchObject({ kind: 'accepted' });
        expect(await admit(store, 'c')).toEqual({ kind: 'duplicate', state: 'finished' });
      });

      it('refuses when the queue is full, after dropping entries older than the stale timeout', async () => {
        const store = open({ maxQueueSize: 3, staleTimeoutSeconds: 10 });
        await admit(store, 'old-low', 0, 'u1', 'low');
        await admit(store, 'old-high', 1 * SECOND, 'u1', 'high');
        await admit(store, 'fresh', 5 * SECOND);
        expect(await admit(store, 'x', 10 * SECOND)).toEqual({ kind: 'queue_full', maxQueueSize: 3, expired: [] });
        const outcome = await admit(store, 'y', 11.5 * SECOND);
        expect(outcome.kind).toBe('accepted');
        expect(outcome.kind === 'accepted' && outcome.expired.map((e) => [e.executionId, e.priority, e.enqueuedAt, e.payload.execution_id])).toEqual([
          ['old-low', 'low', 0, 'old-low'],
          ['old-high', 'high', 1000, 'old-high'],
        ]);
        expect(outcome.kind === 'accepted' && outcome.position).toBe(1);
        expect((await store.snapshot()).pendingCount).toBe(2);
      });

      it('refuses a user at the per-user limit, counting pending and active', async () => {
        const store = open({ maxExecutionsPerUser: 2 });
        await admit(store, 'a', 0, 'alice');
        await next(store, 0, 's');
        await admit(store, 'b', 0, 'alice');
        expect(await admit(store, 'c', 0, 'alice')).toEqual({ kind: 'user_limit', limit: 2, current: 2, expired: [] });
        expect(await admit(store, 'd', 0, 'bob')).toMatchObject({ kind: 'accepted' });
        expect(await store.userUsage('alice')).toEqual({ pending: 1, active: 1 });
        expect(await store.userUsage('nobody')).toEqual({ pending: 0, active: 0 });
      });

      it('reports the stale entries a full queue swept even when the request is then refused for its user', async () => {
        const store = open({ maxQueueSize: 3, maxExecutionsPerUser: 2, staleTimeoutSeconds: 10 });
        await admit(store, 'old', 0, 'bob');
        await admit(store, 'a', 5 * SECOND, 'alice');
        await admit(store, 'c', 5 * SECOND, 'alice');
        // The queue is full; 'old' is stale and swept, then 'd' is over alice's limit.
        const outcome = await admit(store, 'd', 10 * SECOND + 1, 'alice');
        expect(outcome).toMatchObject({ kind: 'user_limit', current: 2, expired: [{ executionId: 'old', userId: 'bob' }] });
        expect(await store.lookup('old')).toBeUndefined();
        expect(await store.userUsage('bob')).toEqual({ pending: 0, active: 0 });
      });
    });

    describe('dispatch', () => {
      it('takes by priority, then first come first served, up to the active limit', async () => {
        const store = open({ maxActiveExecutions: 3 });
        await admit(store, 'n1');
        await admit(store, 'b1', 0, 'u1', 'background');
        await admit(store, 'n2');
        await admit(store, 'c1', 0, 'u1', 'critical');
        expect(await drain(store)).toEqual(['dispatched:c1', 'dispatched:n1', 'dispatched:n2']);
        expect(await next(store, 0, 's')).toEqual({ kind: 'idle', reason: 'at_capacity' });
        await store.release('n1');
        expect(await drain(store)).toEqual(['dispatched:b1']);
        await store.release('c1');
        expect(await next(store, 0, 's')).toEqual({ kind: 'idle', reason: 'empty' });
      });

      it('hands out the whole request with the saga and dispatch time', async () => {
        const store = open();
        const payload = request('a', 'alice', 'high');
        await store.admit({ executionId: 'a', userId: 'alice', priority: 'high', payload }, 5);
        const outcome = await next(store, 42, 'saga-1');
        expect(outcome).toEqual({
          kind: 'dispatched',
          execution: { executionId: 'a', userId: 'alice', priority: 'high', enqueuedAt: 5, dispatchedAt: 42, sagaId: 'saga-1', payload },
        });
      });

      it('dispatches nothing while held and resumes afterwards', async () => {
        const store = open();
        await admit(store, 'a');
        await store.setHeld(true);
        expect(await next(store, 0, 's')).toEqual({ kind: 'idle', reason: 'held' });
        expect((await store.snapshot()).held).toBe(true);
        await store.setHeld(false);
        expect(await drain(store)).toEqual(['dispatched:a']);
      });

      it('drops an entry that waited longer than the stale timeout, but not one that waited exactly that long', async () => {
        const store = open({ staleTimeoutSeconds: 10 });
        await admit(store, 'late', 0);
        await admit(store, 'exact', 1 * SECOND);
        expect(await drain(store, 11 * SECOND)).toEqual(['expired:late', 'dispatched:exact']);
        expect(await admit(store, 'late', 11 * SECOND)).toEqual({ kind: 'duplicate', state: 'finished' });
      });
    });

    describe('scheduling in the same call', () => {
      it('dispatches an accepted request in the admission call when a slot is free', async () => {
        const store = open({ maxActiveExecutions: 1 });
        const first = await store.admit({ executionId: 'a', userId: 'u1', priority: 'normal', payload: request('a') }, 0, ['s1', 's2']);
        expect(first).toMatchObject({ kind: 'accepted', position: 0, scheduled: { idle: 'at_capacity', steps: [{ kind: 'dispatched', execution: { executionId: 'a', sagaId: 's1' } }] } });
        const second = await store.admit({ executionId: 'b', userId: 'u1', priority: 'normal', payload: request('b') }, 0, ['s3']);
        expect(second).toMatchObject({ kind: 'accepted', position: 0, scheduled: { idle: 'at_capacity', steps: [] } });
        const duplicate = await store.admit({ executionId: 'b', userId: 'u1', priority: 'normal', payload: request('b') }, 0, ['s4']);
        expect(duplicate).toEqual({ kind: 'duplicate', state: 'pending', position: 0, priority: 'normal' });
      });

      it('does not schedule on an admission that finds others already waiting', async () => {
        const store = open({ maxActiveExecutions: 1, leaseSeconds: 1 });
        await store.admit({ executionId: 'a', userId: 'u1', priority: 'normal', payload: request('a') }, 0, ['s1']);
        await store.admit({ executionId: 'b', userId: 'u1', priority: 'normal', payload: request('b') }, 0, ['s2']);
        // 'a' holds the slot and its lease has run out, but the admission of 'c' queues behind
        // 'b' and leaves the repair to the next release or scheduling run.
        const third = await store.admit({ executionId: 'c', userId: 'u2', priority: 'critical', payload: request('c') }, 5 * SECOND, ['s3']);
        expect(third).toMatchObject({ kind: 'accepted', position: 0, scheduled: { idle: 'waiting', steps: [] } });
        expect(describeSteps(await store.schedule(5 * SECOND, ['s4']))).toEqual(['lease_expired:a', 'dispatched:c']);
      });

      it('dispatches the next execution in the release call that freed its slot', async () => {
        const store = open({ maxActiveExecutions: 1 });
        await admit(store, 'a');
        await admit(store, 'b');
        await next(store, 0, 's1');
        const released = await store.release('a', 5, ['s2', 's3']);
        expect(released).toMatchObject({ kind: 'was_active', execution: { executionId: 'a' }, scheduled: { idle: 'at_capacity', steps: [{ kind: 'dispatched', execution: { executionId: 'b', sagaId: 's2', dispatchedAt: 5 } }] } });
        expect(await store.release('nope', 5, ['s4'])).toEqual({ kind: 'unknown', scheduled: { steps: [], idle: 'at_capacity' } });
      });

      it('stops when it runs out of saga ids, saying so with idle null', async () => {
        const store = open();
        for (const id of ['a', 'b', 'c']) await admit(store, id);
        const result = await store.schedule(0, ['s1', 's2']);
        expect(describeSteps(result)).toEqual(['dispatched:a', 'dispatched:b']);
        expect(result.idle).toBeNull();
        expect(await store.schedule(0, [])).toEqual({ steps: [], idle: null });
      });
    });

    describe('release', () => {
      it('frees an active slot, removes a pending entry and ignores unknown ids', async () => {
        const store = open({ maxActiveExecutions: 1 });
        await admit(store, 'a', 0, 'alice');
        await admit(store, 'b', 0, 'alice');
        await next(store, 0, 's');
        expect(await store.release('b')).toMatchObject({ kind: 'was_pending', execution: { executionId: 'b', userId: 'alice' } });
        expect(await store.release('a')).toMatchObject({ kind: 'was_active', execution: { executionId: 'a', sagaId: 's' } });
        expect(await store.release('a')).toEqual({ kind: 'unknown' });
        expect(await store.userUsage('alice')).toEqual({ pending: 0, active: 0 });
        expect(await store.snapshot()).toMatchObject({ pendingCount: 0, activeCount: 0 });
      });
    });

    describe('reprioritize', () => {
      it('moves a pending execution keeping its arrival order in the new level', async () => {
        const store = open();
        await admit(store, 'h1', 0, 'u1', 'high');
        await admit(store, 'n1');
        await admit(store, 'h2', 0, 'u1', 'high');
        await admit(store, 'n2');
        expect(await store.reprioritize('n1', 'high')).toEqual({ kind: 'moved', position: 1, priority: 'high' });
        expect((await store.pendingPage({}, 0, 10)).items.map((item) => item.executionId)).toEqual(['h1', 'n1', 'h2', 'n2']);
        expect(await store.reprioritize('h1', 'background')).toEqual({ kind: 'moved', position: 3, priority: 'background' });
        await next(store, 0, 's');
        expect(await store.reprioritize('n1', 'low')).toEqual({ kind: 'not_pending', state: 'active' });
        expect(await store.reprioritize('zzz', 'low')).toEqual({ kind: 'unknown' });
      });
    });

    describe('reads', () => {
      it('summarises depth per priority, active count and the oldest entry', async () => {
        const store = open();
        await admit(store, 'a', 7, 'u1', 'low');
        await admit(store, 'b', 9, 'u1', 'critical');
        await admit(store, 'c', 9, 'u1', 'critical');
        await next(store, 10, 's');
        expect(await store.snapshot()).toEqual({
          pendingCount: 2,
          activeCount: 1,
          held: false,
          byPriority: { critical: 1, high: 0, normal: 0, low: 1, background: 0 },
          oldestEnqueuedAt: 7,
        });
      });

      it('looks up pending executions with their position and active ones with their dispatch', async () => {
        const store = open();
        await admit(store, 'a', 1);
        await admit(store, 'b', 2);
        await next(store, 3, 's');
        expect(await store.lookup('b')).toMatchObject({ state: 'pending', position: 0, execution: { executionId: 'b', enqueuedAt: 2 } });
        expect(await store.lookup('a')).toMatchObject({ state: 'active', execution: { executionId: 'a', dispatchedAt: 3, sagaId: 's' } });
        expect(await store.lookup('nope')).toBeUndefined();
      });

      it('pages pending executions in queue order with true positions, by priority and by user', async () => {
        const store = open();
        await admit(store, 'n1', 0, 'alice');
        await admit(store, 'h1', 0, 'bob', 'high');
        await admit(store, 'n2', 0, 'bob');
        await admit(store, 'h2', 0, 'alice', 'high');
        await admit(store, 'l1', 0, 'alice', 'low');
        const rows = (page: { items: { executionId: string; position: number }[]; total: number }) => [page.total, page.items.map((i) => `${i.executionId}@${i.position}`)];
        expect(rows(await store.pendingPage({}, 1, 3))).toEqual([5, ['h2@1', 'n1@2', 'n2@3']]);
        expect(rows(await store.pendingPage({ priority: 'normal' }, 1, 5))).toEqual([2, ['n2@3']]);
        expect(rows(await store.pendingPage({ userId: 'alice' }, 0, 10))).toEqual([3, ['h2@1', 'n1@2', 'l1@4']]);
        expect(rows(await store.pendingPage({ userId: 'alice', priority: 'low' }, 0, 10))).toEqual([1, ['l1@4']]);
        expect(rows(await store.pendingPage({ userId: 'carol' }, 0, 10))).toEqual([0, []]);
        expect((await store.pendingPage({}, 0, 1)).items[0]).toEqual({ executionId: 'h1', userId: 'bob', priority: 'high', enqueuedAt: 0, position: 0 });
      });

      it('pages active executions in dispatch order and users by total, ties by id', async () => {
        const store = open();
        for (const [id, user] of [['a', 'zed'], ['b', 'amy'], ['c', 'amy'], ['d', 'bob'], ['e', 'bob']] as const) await admit(store, id, 0, user);
        await next(store, 1, 's1');
        await next(store, 2, 's2');
        const active = await store.activePage(1, 5);
        expect(active).toEqual({ total: 2, items: [{ executionId: 'b', userId: 'amy', priority: 'normal', enqueuedAt: 0, dispatchedAt: 2, sagaId: 's2' }] });
        expect(await store.usersPage(0, 10)).toEqual({
          total: 3,
          items: [
            { userId: 'amy', pending: 1, active: 1 },
            { userId: 'bob', pending: 2, active: 0 },
            { userId: 'zed', pending: 0, active: 1 },
          ],
        });
        expect((await store.usersPage(2, 1)).items).toEqual([{ userId: 'zed', pending: 0, active: 1 }]);
      });
    });

    describe('fair order, weights and aging', () => {
      const fair = (overrides: Partial<QueueLimits> = {}) => open({ queueOrder: 'fair', maxActiveExecutions: 1, ...overrides });
      const pendingIds = async (store: QueueStateStore) => (await store.pendingPage({}, 0, 100)).items.map((item) => `${item.executionId}@${item.position}`);

      it('lets a newcomer in ahead of a flood, keeps each user in arrival order, and pages in true dispatch order', async () => {
        const store = fair();
        for (const id of ['h1', 'h2', 'h3', 'h4']) await admit(store, id, 0, 'heavy');
        expect(await next(store, 0, 's1')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'h1' } });
        const newcomer = await admit(store, 'n1', 1, 'newcomer');
        expect(newcomer).toMatchObject({ kind: 'accepted', position: 0 });
        await admit(store, 'm1', 2, 'other');
        expect(await pendingIds(store)).toEqual(['n1@0', 'm1@1', 'h2@2', 'h3@3', 'h4@4']);
        expect(await store.lookup('h3')).toMatchObject({ state: 'pending', position: 3 });
        expect((await store.pendingPage({ userId: 'heavy' }, 0, 10)).items.map((item) => `${item.executionId}@${item.position}`)).toEqual(['h2@2', 'h3@3', 'h4@4']);
        // The oldest waiting is still h2, whatever the order.
        expect((await store.snapshot()).oldestEnqueuedAt).toBe(0);
      });

      it('gives backlogged users turns in proportion to their weights; a change applies to the next turns only', async () => {
        const store = fair();
        await store.setUserWeight('quick', 2);
        expect(await store.userWeights(['quick', 'slow'])).toEqual([2, 1]);
        for (let i = 1; i <= 4; i++) await admit(store, `s${i}`, 0, 'slow');
        for (let i = 1; i <= 4; i++) await admit(store, `q${i}`, 0, 'quick');
        expect(await pendingIds(store)).toEqual(['s1@0', 'q1@1', 'q2@2', 's2@3', 'q3@4', 'q4@5', 's3@6', 's4@7']);
        await store.setUserWeight('quick', 1);
        expect(await pendingIds(store)).toEqual(['s1@0', 'q1@1', 'q2@2', 's2@3', 'q3@4', 'q4@5', 's3@6', 's4@7']);
        // At weight 1 from now on: quick's next turn starts where its turns at weight 2 ended
        // (two turns), beside s3, which arrived earlier.
        await admit(store, 'q5', 0, 'quick');
        expect(await store.lookup('q5')).toMatchObject({ position: 7 });
      });

      it('holds a user\u2019s earlier turns against it only while it has work waiting or running, and says who can still be passed', async () => {
        const store = fair();
        await admit(store, 'a1', 0, 'a');
        expect(await next(store, 0, 's1')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'a1' } });
        // a1 runs and holds the only slot: a's next turn starts after it, so later arrivals of
        // other users may still go first.
        expect(await admit(store, 'a2', 1, 'a')).toMatchObject({ kind: 'accepted', position: 0, passable: true });
        // b has nothing waiting or running: it starts at once, whatever it did before.
        expect(await admit(store, 'b1', 2, 'b')).toMatchObject({ kind: 'accepted', position: 0, passable: false });
        expect(await pendingIds(store)).toEqual(['b1@0', 'a2@1']);
      });

      it('settles every turn when an arrival finds nothing waiting at its level and a slot free', async () => {
        const store = fair({ maxActiveExecutions: 2 });
        await admit(store, 'x1', 0, 'x');
        expect(await next(store, 0, 's1')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'x1' } });
        // x1 still runs, but one slot is free and nothing waits: x's turn is settled, so x2 is
        // not behind newcomers, and nobody can pass it.
        expect(await admit(store, 'x2', 1, 'x')).toMatchObject({ kind: 'accepted', position: 0, passable: false });
        expect(await admit(store, 'y1', 2, 'y')).toMatchObject({ kind: 'accepted', position: 1, passable: false });
        expect(await pendingIds(store)).toEqual(['x2@0', 'y1@1']);
      });

      it('settles nothing while dispatching is held, even with a slot free and nothing waiting', async () => {
        const store = fair({ maxActiveExecutions: 3 });
        await admit(store, 'x1', 0, 'x');
        expect(await next(store, 0, 's1')).toMatchObject({ kind: 'dispatched', execution: { executionId: 'x1' } });
        await store.setHeld(true);
        // A slot is free by count, but held dispatching frees none: x's turn still counts, so
        // the newcomer goes first.
        expect(await admit(store, 'x2', 1, 'x')).toMatchObject({ kind: 'accepted', position: 0, passable: true });
        expect(await admit(store, 'y1', 2, 'y')).toMatchObject({ kind: 'accepted', position: 0, passable: false });
        expect(await pendingIds(store)).toEqual(['y1@0', 'x2@1']);
      });

      it('moves a reprioritised execution in as its user\u2019s next turn in the new level', async () => {
        const store = fair();
        for (const [id, user] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['b2', 'b']] as const) await admit(store, id, 0, user, 'high');
        await admit(store, 'a3', 0, 'a', 'low');
        expect(await store.reprioritize('a3', 'high', 0)).toEqual({ kind: 'moved', position: 4, priority: 'high' });
        expect(await pendingIds(store)).toEqual(['a1@0', 'b1@1', 'a2@2', 'b2@3', 'a3@4']);
      });

      it('ages waiting executions one level per step at scheduling time, up to high, with both priorities shown', async () => {
        for (const queueOrder of ['fifo', 'fair'] as const) {
          const store = open({ queueOrder, agingSeconds: 60, maxActiveExecutions: 1 });
          await store.setHeld(true);
          await admit(store, 'bg', 0, 'u1', 'background');
          await admit(store, 'c1', 1, 'u2', 'critical');
          await admit(store, 'n1', 2, 'u3', 'normal');
          expect(await store.lookup('bg')).toMatchObject({ position: 2, effectivePriority: undefined });
          await store.schedule(59 * SECOND, ['s']);
          expect(await store.lookup('bg')).toMatchObject({ position: 2, effectivePriority: undefined });
          // At 60 s bg reaches low; at 62 s n1 reaches high; at 180 s bg reaches high, where it
          // goes first: by arrival under fifo, and under fair because both first turns there tie
          // at the level's clock and ties go by arrival.
          await store.schedule(60 * SECOND, ['s']);
          expect(await store.lookup('bg')).toMatchObject({ position: 2, effectivePriority: 'low', execution: { priority: 'background' } });
          await store.schedule(62 * SECOND, ['s']);
          expect(await store.lookup('n1')).toMatchObject({ position: 1, effectivePriority: 'high', execution: { priority: 'normal' } });
          await store.schedule(10 * 60 * SECOND, ['s']);
          const page = (await store.pendingPage({}, 0, 10)).items.map((item) => `${item.executionId}:${item.effectivePriority ?? item.priority}`);
          expect(page).toEqual(['c1:critical', 'bg:high', 'n1:high']);
          expect((await store.snapshot()).byPriority).toEqual({ critical: 1, high: 2, normal: 0, low: 0, background: 0 });
          expect((await store.pendingPage({ priority: 'high' }, 0, 10)).total).toBe(2);
        }
      });

      it('starts aging over when an operator moves an execution', async () => {
        const store = open({ agingSeconds: 60 });
        await store.setHeld(true);
        await admit(store, 'x', 0, 'u1', 'normal');
        await store.reprioritize('x', 'background', 50 * SECOND);
        await store.schedule(100 * SECOND, ['s']);
        expect(await store.lookup('x')).toMatchObject({ effectivePriority: undefined, execution: { priority: 'background' } });
        await store.schedule(110 * SECOND, ['s']);
        expect(await store.lookup('x')).toMatchObject({ effectivePriority: 'low' });
      });

      it('sweeps stale entries by arrival under fair order when the queue is full', async () => {
        const store = fair({ maxQueueSize: 3, staleTimeoutSeconds: 10 });
        await admit(store, 'a1', 0, 'a');
        await admit(store, 'a2', 5 * SECOND, 'a');
        await admit(store, 'b1', 20 * SECOND, 'b');
        const outcome = await admit(store, 'c1', 20 * SECOND, 'c');
        expect(outcome.kind).toBe('accepted');
        expect('expired' in outcome && outcome.expired.map((execution) => execution.executionId)).toEqual(['a1', 'a2']);
        expect(await pendingIds(store)).toEqual(['b1@0', 'c1@1']);
      });
    });

    describe('leases and unconfirmed dispatches', () => {
      it('reclaims the slot of an execution whose lease ran out, before dispatching anything else', async () => {
        const store = open({ leaseSeconds: 100, maxActiveExecutions: 1, staleTimeoutSeconds: 3600 });
        await admit(store, 'a');
        await admit(store, 'b');
        await next(store, 0, 's');
        await store.confirmDispatched(['a']);
        expect(await next(store, 100 * SECOND, 'x')).toEqual({ kind: 'idle', reason: 'at_capacity' });
        const result = await store.schedule(100 * SECOND + 1, ['x']);
        expect(result.steps[0]).toMatchObject({ kind: 'lease_expired', execution: { executionId: 'a', sagaId: 's', payload: { execution_id: 'a' } } });
        expect(describeSteps(result)).toEqual(['lease_expired:a', 'dispatched:b']);
        expect(await admit(store, 'a', 100 * SECOND + 1)).toEqual({ kind: 'duplicate', state: 'finished' });
        expect(await store.release('a')).toEqual({ kind: 'unknown' });
      });

      it('restarts a lease on a sign of life, only for active executions', async () => {
        const store = open({ leaseSeconds: 100, staleTimeoutSeconds: 3600 });
        await admit(store, 'a');
        await admit(store, 'b');
        await next(store, 0, 's');
        await store.confirmDispatched(['a']);
        expect(await store.renewLease('a', 50 * SECOND)).toBe(true);
        expect(await store.renewLease('b', 50 * SECOND)).toBe(false);
        expect(await store.renewLease('unknown', 50 * SECOND)).toBe(false);
        expect(await drain(store, 120 * SECOND)).toEqual(['dispatched:b']);
        await store.confirmDispatched(['b']);
        expect(await drain(store, 150 * SECOND + 1)).toEqual(['lease_expired:a']);
      });

      it('counts a sign of life as confirming the dispatch: the pod exists, so its command arrived', async () => {
        const store = open({ dispatchGraceSeconds: 30, leaseSeconds: 100 });
        await admit(store, 'a');
        await next(store, 0, 'saga-a');
        expect(await store.renewLease('a', 10 * SECOND)).toBe(true);
        // Never confirmed as published, but alive: not handed out again after the grace period,
        // and its lease runs from the sign of life.
        expect(await drain(store, 60 * SECOND)).toEqual([]);
        expect(await drain(store, 110 * SECOND)).toEqual([]);
        expect(await drain(store, 110 * SECOND + 1)).toEqual(['lease_expired:a']);
      });

      it('repairs in the order things fell due: earliest first, a lease before a grace period at the same time', async () => {
        const store = open({ dispatchGraceSeconds: 30, leaseSeconds: 100, staleTimeoutSeconds: 3600 });
        for (const id of ['a', 'c', 'b']) await admit(store, id);
        await next(store, 0, 'saga-a');
        await store.confirmDispatched(['a']);
        await next(store, 10 * SECOND, 'saga-c');
        // c's grace ended at 40 s: handed out again at 70 s (first), then b is dispatched.
        expect(await drain(store, 70 * SECOND)).toEqual(['redispatch:c', 'dispatched:b']);
        // All three fall due at 100 s: a's lease first, then the two grace ends by execution id.
        expect(await drain(store, 100 * SECOND + 1)).toEqual(['lease_expired:a', 'redispatch:b', 'redispatch:c']);
      });

      it('hands out a dispatch again when it stays unconfirmed past the grace period, with the same saga', async () => {
        const store = open({ dispatchGraceSeconds: 30 });
        await admit(store, 'a');
        await admit(store, 'b');
        await next(store, 0, 'saga-a');
        await next(store, 0, 'saga-b');
        await store.confirmDispatched(['b']);
        expect(await next(store, 30 * SECOND, 'x')).toEqual({ kind: 'idle', reason: 'empty' });
        const again = await next(store, 30 * SECOND + 1, 'x');
        expect(again).toMatchObject({ kind: 'redispatch', execution: { executionId: 'a', sagaId: 'saga-a', dispatchedAt: 0 } });
        // Handed out again just now: not repeated until another grace period passes.
        expect(await next(store, 30 * SECOND + 2, 'x')).toEqual({ kind: 'idle', reason: 'empty' });
        await store.confirmDispatched(['a']);
        expect(await next(store, 100 * SECOND, 'x')).toEqual({ kind: 'idle', reason: 'empty' });
        expect((await store.snapshot()).activeCount).toBe(2);
      });

      it('forgets the unconfirmed mark and the lease when the execution is released', async () => {
        const store = open({ dispatchGraceSeconds: 1, leaseSeconds: 1 });
        await admit(store, 'a');
        await next(store, 0, 's');
        await store.release('a');
        expect(await next(store, 10 * SECOND, 'x')).toEqual({ kind: 'idle', reason: 'empty' });
      });
    });
  });
}
