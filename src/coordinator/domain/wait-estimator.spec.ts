import { MIN_RUNS_BEFORE_ESTIMATES, WaitEstimator } from './wait-estimator.js';

const SECOND = 1000;

function trained(slots: number, runs: { ms: number; key?: string }[]): WaitEstimator {
  const estimator = new WaitEstimator(slots);
  for (const run of runs) estimator.observe(run.ms, run.key);
  return estimator;
}

describe('WaitEstimator', () => {
  it('gives no estimate until a few runs were seen', () => {
    const estimator = trained(2, Array.from({ length: MIN_RUNS_BEFORE_ESTIMATES - 1 }, () => ({ ms: 10 * SECOND })));
    expect(estimator.estimateWaitMs(3, 0, [])).toBeNull();
    estimator.observe(10 * SECOND);
    expect(estimator.estimateWaitMs(3, 0, [])).not.toBeNull();
  });

  it('answers zero for a position a free slot takes', () => {
    const estimator = trained(3, Array.from({ length: 5 }, () => ({ ms: 10 * SECOND })));
    expect(estimator.estimateWaitsMs([0, 1], 0, [{ dispatchedAt: 0 }])).toEqual([0, 0]);
  });

  it('counts the remaining time of the runs in progress, by their runtime', () => {
    const estimator = trained(2, [
      ...Array.from({ length: 5 }, () => ({ ms: 4 * SECOND, key: 'fast' })),
      ...Array.from({ length: 5 }, () => ({ ms: 20 * SECOND, key: 'slow' })),
    ]);
    const now = 10 * SECOND;
    // fast started at 9 s (3 s left), slow at 0 s (10 s left): the next slot frees in 3 s, the one after in 10 s.
    const running = [
      { dispatchedAt: 0, runtimeKey: 'slow' },
      { dispatchedAt: 9 * SECOND, runtimeKey: 'fast' },
    ];
    const [first, second] = estimator.estimateWaitsMs([0, 1], now, running);
    expect(first).toBe(Math.max(3 * SECOND, (0.5 * 12 * SECOND) / 2));
    expect(second).toBe(Math.max(10 * SECOND, (1.5 * 12 * SECOND) / 2));
  });

  it('grows with the position at the rate the slots sustain, without looking at the queue', () => {
    const estimator = trained(10, Array.from({ length: 50 }, () => ({ ms: 10 * SECOND })));
    const running = Array.from({ length: 10 }, () => ({ dispatchedAt: 0 }));
    const waits = estimator.estimateWaitsMs([10, 100, 1000], 5 * SECOND, running) as number[];
    expect(waits[0]).toBeCloseTo(10.5 * SECOND, -2);
    expect(waits[1]).toBeCloseTo(100.5 * SECOND, -2);
    expect(waits[2]).toBeCloseTo(1000.5 * SECOND, -2);
  });

  it('expects an overdue run to go on for a while rather than end at once', () => {
    const estimator = trained(1, Array.from({ length: 5 }, () => ({ ms: 10 * SECOND })));
    const wait = estimator.estimateWaitMs(0, 60 * SECOND, [{ dispatchedAt: 0 }])!;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThan(10 * SECOND);
  });

  it('adds to executions that can still be passed the delay passing has added lately, learned from waits of a run or more', () => {
    const estimator = trained(10, Array.from({ length: 10 }, () => ({ ms: 6 * SECOND })));
    expect(estimator.announcedWaitMs(3 * SECOND, true)).toBe(3 * SECOND);
    // Short waits teach nothing: they are not what an estimate is for.
    for (let i = 0; i < 50; i++) estimator.observePassedWait(2 * SECOND, 0);
    expect(estimator.announcedWaitMs(3 * SECOND, true)).toBe(3 * SECOND);
    // Passed executions keep waiting about 12 s beyond what their position said: the delay
    // settles near there, and only passable executions get it.
    for (let i = 0; i < 400; i++) estimator.observePassedWait(15 * SECOND, 3 * SECOND);
    const announced = estimator.announcedWaitMs(3 * SECOND, true);
    expect(announced).toBeGreaterThan(13 * SECOND);
    expect(announced).toBeLessThan(16 * SECOND);
    expect(estimator.announcedWaitMs(3 * SECOND, false)).toBe(3 * SECOND);
    // When passing stops costing anything, the delay comes back down.
    for (let i = 0; i < 400; i++) estimator.observePassedWait(6 * SECOND, 6 * SECOND);
    expect(estimator.announcedWaitMs(3 * SECOND, true)).toBeLessThan(4 * SECOND);
  });
});
