import fc from 'fast-check';
import { jest } from '@jest/globals';
import { InMemoryQueueStateStore } from '../../src/coordinator/stores/in-memory-queue-state.store.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import type { QueueStateStore } from '../../src/coordinator/queue-state-store.port.js';
import { checkAgainstModel } from '../builders/model-check.js';
import { redisStore } from '../builders/redis-harness.js';
import { budgetLimitsArbitrary, budgetSequenceArbitrary, budgetsReached, modelLimitsArbitrary, modelSequenceArbitrary, type ModelCommand } from '../builders/reference-model.js';

jest.setTimeout(600_000);

/**
 * One rulebook, two stores: the same generated command sequences (requests, cancels, results,
 * signs of life, reprioritisations, hold/resume, housekeeping runs, lost confirmations and
 * clock jumps past stale, grace and lease ends) drive the coordinator over each store and the
 * reference model, and every event and count must agree. The Redis store runs on the real
 * server, a fresh key prefix per sequence. Small recent-ids capacities make ids forgotten and
 * requested again; a second set of sequences starts with bursts of requests long enough to reach
 * the per-run budgets (due promotions, steps that dispatch nothing), and the test checks that
 * they were reached.
 */
const RUNS = Number(process.env.PARITY_RUNS ?? 300);
const BUDGET_RUNS = Number(process.env.PARITY_BUDGET_RUNS ?? 25);

/** Runs `runs` generated sequences on a fresh store each and checks every step against the model. */
async function checkSequences(
  makeStore: (limits: QueueLimits) => QueueStateStore,
  limits: fc.Arbitrary<QueueLimits>,
  sequences: fc.Arbitrary<ModelCommand[]>,
  runs: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(limits, sequences, async (queueLimits, commands) => {
      const store = makeStore(queueLimits);
      try {
        await checkAgainstModel(store, queueLimits, commands);
      } finally {
        await store.close();
      }
    }),
    { numRuns: runs },
  );
}

describe.each([
  ['in-memory', (limits: QueueLimits): QueueStateStore => new InMemoryQueueStateStore(limits)],
  ['redis', (limits: QueueLimits): QueueStateStore => redisStore(limits)],
])('the %s store against the reference model', (_name, makeStore) => {
  it(`agrees on every event and count over ${RUNS} generated sequences`, async () => {
    await checkSequences(makeStore, modelLimitsArbitrary, modelSequenceArbitrary, RUNS);
  });

  it(`agrees at the per-run budgets over ${BUDGET_RUNS} sequences of bursts`, async () => {
    const before = { ...budgetsReached };
    await checkSequences(makeStore, budgetLimitsArbitrary, budgetSequenceArbitrary, BUDGET_RUNS);
    expect(budgetsReached.promotions).toBeGreaterThan(before.promotions);
    expect(budgetsReached.repairs).toBeGreaterThan(before.repairs);
    expect(budgetsReached.forgottenIds).toBeGreaterThan(before.forgottenIds);
  });
});
