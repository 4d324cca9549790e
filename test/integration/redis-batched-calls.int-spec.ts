import fc from 'fast-check';
import { jest } from '@jest/globals';
import { PRIORITIES } from '../../src/contracts/priority.constants.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import type { ScheduleResult } from '../../src/coordinator/domain/coordinator-outcomes.js';
import type { QueueStateStore, Scheduled, StoredRequest } from '../../src/coordinator/queue-state-store.port.js';
import { InMemoryQueueStateStore } from '../../src/coordinator/stores/in-memory-queue-state.store.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { redisClient, redisStore } from '../builders/redis-harness.js';

jest.setTimeout(300_000);

/**
 * The Redis store packs the admissions (and the releases) made while one of their kind is in
 * flight into one call. Packed or not, each must be answered exactly as if it had been sent
 * alone, in the order it was made: a wave of calls made at once against Redis must get what the
 * in-memory store answers to the same calls made one after another. Waves include duplicates
 * within the wave, per-user and queue limits, stale sweeps, dispatches and releases of pending
 * and unknown executions, dispatches handed out again and leases that ran out, users of
 * different weights, under both orders. A wave holds one kind of call: admissions and releases travel on different
 * connections, so between kinds only the store's callers order them (the coordinator awaits
 * what must come first).
 */
const RUNS = Number(process.env.BATCH_PARITY_RUNS ?? 40);

/** `advanceSeconds`: the clock moves before the wave; `spreadSeconds`: and between its calls. */
type Wave =
  | { kind: 'admit'; requests: { user: number; priority: number; earlier: number | null }[]; advanceSeconds: number; spreadSeconds: number }
  | { kind: 'release'; picks: number[]; advanceSeconds: number; spreadSeconds: number };

const waveArbitrary: fc.Arbitrary<Wave> = fc.oneof(
  fc.record({
    kind: fc.constant('admit' as const),
    // `earlier`: repeats an id already made (a redelivery), else a new id.
    requests: fc.array(fc.record({ user: fc.nat(3), priority: fc.nat(PRIORITIES.length - 1), earlier: fc.option(fc.nat(200), { freq: 4 }) }), { minLength: 1, maxLength: 40 }),
    advanceSeconds: fc.constantFrom(0, 0, 1, 20),
    spreadSeconds: fc.constantFrom(0, 0, 2),
  }),
  fc.record({
    kind: fc.constant('release' as const),
    picks: fc.array(fc.nat(200), { minLength: 1, maxLength: 20 }),
    advanceSeconds: fc.constantFrom(0, 0, 1, 20),
    spreadSeconds: fc.constantFrom(0, 0, 2),
  }),
);

const limitsArbitrary: fc.Arbitrary<QueueLimits> = fc.record({
  maxQueueSize: fc.integer({ min: 3, max: 12 }),
  maxExecutionsPerUser: fc.integer({ min: 2, max: 8 }),
  staleTimeoutSeconds: fc.constantFrom(15, 3600),
  maxActiveExecutions: fc.integer({ min: 1, max: 4 }),
  recentIdsCapacity: fc.constantFrom(5, 1000),
  // Short ones let dispatches left unconfirmed be handed out again, and leases run out, mid-wave.
  leaseSeconds: fc.constantFrom(30, 3600),
  dispatchGraceSeconds: fc.constantFrom(5, 3600),
  queueOrder: fc.constantFrom('fifo' as const, 'fair' as const),
  agingSeconds: fc.constantFrom(0, 10),
});

/** Weights of users 0..3 (1: none set), which fair order reads for each admission. */
const weightsArbitrary = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 });

/** What a caller sees of an answer, in a form both stores give alike. */
function schedulingShape(result: ScheduleResult<StoredRequest> | undefined) {
  if (!result) return null;
  return { idle: result.idle, steps: result.steps.map((step) => [step.kind, step.execution.executionId, 'sagaId' in step.execution ? step.execution.sagaId : null]) };
}

function answerShape(answer: Scheduled<object>): unknown {
  const { scheduled, ...rest } = answer as Scheduled<Record<string, unknown>>;
  const shape: Record<string, unknown> = { ...rest, scheduled: schedulingShape(scheduled) };
  if (Array.isArray(rest.expired)) shape.expired = (rest.expired as { executionId: string }[]).map((execution) => execution.executionId);
  if (rest.execution) shape.execution = (rest.execution as { executionId: string }).executionId;
  return shape;
}

/** Drives one store through the waves; `together` makes each wave's calls at once, else one after another. */
async function answersOf(store: QueueStateStore, weights: number[], waves: Wave[], together: boolean): Promise<unknown[]> {
  for (const [user, weight] of weights.entries()) if (weight > 1) await store.setUserWeight(`user-${user}`, weight);
  const answers: unknown[] = [];
  const ids: string[] = [];
  let now = 1_000_000;
  let sagas = 0;
  const sagaPair = () => [`saga-${sagas++}`, `saga-${sagas++}`];
  for (const wave of waves) {
    now += wave.advanceSeconds * 1000;
    const calls: (() => Promise<Scheduled<object>>)[] = [];
    if (wave.kind === 'admit') {
      for (const { user, priority, earlier } of wave.requests) {
        const at = (now += wave.spreadSeconds * 1000);
        const id = earlier !== null && ids.length > 0 ? ids[earlier % ids.length]! : `exec-${ids.length}`;
        if (!ids.includes(id)) ids.push(id);
        const userId = `user-${user}`;
        const payload = new ExecutionRequestBuilder().withId(id).withUser(userId).withPriority(PRIORITIES[priority]!).build();
        const saga = sagaPair();
        calls.push(() => store.admit({ executionId: id, userId, priority: PRIORITIES[priority]!, payload }, at, saga));
      }
    } else {
      for (const pick of wave.picks) {
        const at = (now += wave.spreadSeconds * 1000);
        const id = ids.length > 0 ? ids[pick % ids.length]! : 'never-seen';
        const saga = sagaPair();
        calls.push(() => store.release(id, at, saga));
      }
    }
    if (together) answers.push(...(await Promise.all(calls.map((call) => call()))).map(answerShape));
    else for (const call of calls) answers.push(answerShape(await call()));
  }
  return answers;
}

describe('calls the Redis store packs together', () => {
  it(`are answered as the same calls made one after another, over ${RUNS} generated runs`, async () => {
    await fc.assert(
      fc.asyncProperty(limitsArbitrary, weightsArbitrary, fc.array(waveArbitrary, { minLength: 1, maxLength: 12 }), async (limits, weights, waves) => {
        const redis = redisStore(limits);
        try {
          const expected = await answersOf(new InMemoryQueueStateStore(limits), weights, waves, false);
          expect(await answersOf(redis, weights, waves, true)).toEqual(expected);
        } finally {
          await redis.close();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('really packs them: a wave of 100 admissions takes a handful of calls, not 100', async () => {
    const client = redisClient();
    const limits: QueueLimits = { maxQueueSize: 1000, maxExecutionsPerUser: 1000, staleTimeoutSeconds: 3600, maxActiveExecutions: 10, recentIdsCapacity: 1000, leaseSeconds: 3600, dispatchGraceSeconds: 3600 };
    const store = redisStore(limits);
    try {
      await store.admit({ executionId: 'warm-up', userId: 'user-0', priority: 'normal', payload: new ExecutionRequestBuilder().withId('warm-up').build() }, 0);
      const callsBefore = await functionCalls(client);
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.admit({ executionId: `exec-${i}`, userId: `user-${i % 7}`, priority: 'normal', payload: new ExecutionRequestBuilder().withId(`exec-${i}`).build() }, 0)),
      );
      const calls = (await functionCalls(client)) - callsBefore;

      expect(answers.map((answer) => answer.kind === 'accepted' && answer.position)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      // One lone call, then the 99 that waited for it in batches of at most 32 (other tests
      // sharing the server may add a few calls of their own).
      expect(calls).toBeGreaterThanOrEqual(5);
      expect(calls).toBeLessThan(20);
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});

/** How many function calls the server has run (the FCALL line of INFO commandstats). */
async function functionCalls(client: ReturnType<typeof redisClient>): Promise<number> {
  const stats = await client.info('commandstats');
  return Number(/cmdstat_fcall:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}
