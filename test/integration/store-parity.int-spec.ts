import fc from 'fast-check';
import { jest } from '@jest/globals';
import { InMemoryQueueStateStore } from '../../src/coordinator/stores/in-memory-queue-state.store.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import type { QueueStateStore } from '../../src/coordinator/queue-state-store.port.js';
import { checkAgainstModel } from '../builders/model-check.js';
import { redisStore } from '../builders/redis-harness.js';
import { modelLimitsArbitrary, modelSequenceArbitrary } from '../builders/reference-model.js';

jest.setTimeout(600_000);

/**
 * One rulebook, two stores: the same generated command sequences (requests, cancels, results,
 * signs of life, reprioritisations, hold/resume, housekeeping runs, lost confirmations and
 * clock jumps past stale, grace and lease ends) drive the coordinator over each store and the
 * reference model, and every event and count must agree. The Redis store runs on the real
 * server, a fresh key prefix per sequence.
 */
const RUNS = Number(process.env.PARITY_RUNS ?? 300);

describe.each([
  ['in-memory', (limits: QueueLimits): QueueStateStore => new InMemoryQueueStateStore(limits)],
  ['redis', (limits: QueueLimits): QueueStateStore => redisStore(limits)],
])('the %s store against the reference model', (_name, makeStore) => {
  it(`agrees on every event and count over ${RUNS} generated sequences`, async () => {
    await fc.assert(
      fc.asyncProperty(modelLimitsArbitrary, modelSequenceArbitrary, async (limits, commands) => {
        const store = makeStore(limits);
        try {
          await checkAgainstModel(store, limits, commands);
        } finally {
          await store.close();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
