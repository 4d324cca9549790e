import { anExecutionRequest } from '../../test/builders/execution-request.builder.js';
import { loadConfig } from '../config/load-config.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { ManualClock } from './domain/clock.js';
import { InMemoryQueueStateStore } from './stores/in-memory-queue-state.store.js';
import { WaitEstimates } from './wait-estimates.service.js';

const RUN_MS = 10_000;

function setUp() {
  const defaults = loadConfig({});
  const options: ExecutionQueueOptions = { ...defaults, queue: { ...defaults.queue, maxActiveExecutions: 2 } };
  const clock = new ManualClock();
  const store = new InMemoryQueueStateStore(options.queue);
  const estimates = new WaitEstimates(store, clock, options);
  const start = async (id: string) => {
    const request = anExecutionRequest().withId(id).withUser('u').build();
    const outcome = await store.admit({ executionId: id, userId: 'u', priority: 'normal', payload: request }, clock.now(), [`saga-${id}`]);
    const step = outcome.kind === 'accepted' ? outcome.scheduled?.steps[0] : undefined;
    if (step?.kind !== 'dispatched') throw new Error(`${id} was not dispatched`);
    estimates.dispatched(step.execution);
  };
  const finish = async (id: string) => {
    await store.release(id);
    estimates.finished(id);
  };
  return { clock, estimates, start, finish };
}

describe('WaitEstimates', () => {
  it('sees a run start or end at once, and lets what runs have left drift by at most 100 ms', async () => {
    const { clock, estimates, start, finish } = setUp();
    for (let i = 0; i < 5; i++) {
      await start(`warm-${i}`);
      clock.advance(RUN_MS);
      await finish(`warm-${i}`);
    }
    await start('x');
    // One slot free: position 0 takes it; position 1 waits for x, a whole run.
    expect(await estimates.waitsMs([0, 1])).toEqual([0, RUN_MS]);

    clock.advance(50);
    await start('y');
    expect((await estimates.waitsMs([0]))[0]).toBe(RUN_MS - 50);

    clock.advance(10);
    await finish('x');
    expect(await estimates.waitsMs([0, 1])).toEqual([0, expect.any(Number)]);
    const [, afterFinish] = await estimates.waitsMs([0, 1]);

    // Nothing changes: within 100 ms the same outlook answers; after it, y's remaining time is recomputed.
    clock.advance(99);
    expect((await estimates.waitsMs([1]))[0]).toBe(afterFinish);
    clock.advance(1);
    expect((await estimates.waitsMs([1]))[0]).toBe(afterFinish! - 100);
  });
});
