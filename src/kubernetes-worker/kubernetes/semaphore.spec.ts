import { Semaphore } from './semaphore.js';

/** Resolves after `ticks` microtask turns, to land a call at an exact point of another's continuation. */
async function afterMicrotasks(ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i++) await Promise.resolve();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('Semaphore', () => {
  // A new caller that arrives while a woken waiter has not resumed yet must not share its slot.
  // The window is a few microtasks wide, so the test tries every landing point in it.
  it.each(Array.from({ length: 12 }, (_, ticks) => ticks))('never runs more than the limit when a caller arrives %i microtasks after a release', async (ticks) => {
    const semaphore = new Semaphore(1);
    let running = 0;
    let most = 0;
    const tracked = (gate: Promise<void>) => async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
    };
    const first = deferred();
    const rest = deferred();
    const runs = [semaphore.run(tracked(first.promise)), semaphore.run(tracked(rest.promise))];
    first.resolve();
    await afterMicrotasks(ticks);
    runs.push(semaphore.run(tracked(rest.promise)));
    await afterMicrotasks(20);
    rest.resolve();
    await Promise.all(runs);
    expect(most).toBe(1);
  });

  it('runs waiters in arrival order and lets all of them finish', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, () => deferred());
    const runs = gates.map((gate, index) => semaphore.run(async () => {
      order.push(index);
      await gate.promise;
    }));
    for (const gate of gates) {
      gate.resolve();
      await afterMicrotasks(10);
    }
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('frees the slot when a task throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(semaphore.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
