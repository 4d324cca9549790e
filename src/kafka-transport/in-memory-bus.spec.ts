import { TransientError } from '../ports/transient-error.js';
import { InMemoryBusHealthIndicator } from './in-memory-bus.health-indicator.js';
import { InMemoryBus, type DeliveredMessage } from './in-memory-bus.js';

const message = (topic: string, text: string) => ({ topic, key: null, value: Buffer.from(text), headers: {} });

describe('InMemoryBus', () => {
  it('delivers asynchronously, in order, to every group, one message at a time', async () => {
    const bus = new InMemoryBus();
    const seen: string[] = [];
    const inFlight: Record<string, number> = { g1: 0, g2: 0 };
    let mostAtOnce = 0;
    for (const group of ['g1', 'g2']) {
      bus.subscribe('t', group, async (delivered: DeliveredMessage) => {
        mostAtOnce = Math.max(mostAtOnce, ++inFlight[group]!);
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(`${group}:${delivered.value.toString()}@${delivered.offset}`);
        inFlight[group]!--;
      });
    }
    bus.publish(message('t', 'a'));
    bus.publish(message('t', 'b'));
    expect(seen).toEqual([]);
    await bus.whenIdle();
    expect(seen.filter((entry) => entry.startsWith('g1'))).toEqual(['g1:a@0', 'g1:b@1']);
    expect(seen.filter((entry) => entry.startsWith('g2'))).toEqual(['g2:a@0', 'g2:b@1']);
    expect(mostAtOnce).toBe(1);
  });

  it('keeps consuming after a consumer throws', async () => {
    const bus = new InMemoryBus();
    const seen: string[] = [];
    bus.subscribe('t', 'g', async (delivered) => {
      if (delivered.value.toString() === 'bad') throw new Error('boom');
      seen.push(delivered.value.toString());
    });
    for (const text of ['bad', 'good']) bus.publish(message('t', text));
    await bus.whenIdle();
    expect(seen).toEqual(['good']);
  });

  it('stops delivering to a closed subscription', async () => {
    const bus = new InMemoryBus();
    const seen: string[] = [];
    const unsubscribe = bus.subscribe('t', 'g', async (delivered) => void seen.push(delivered.value.toString()));
    unsubscribe();
    bus.publish(message('t', 'late'));
    await bus.whenIdle();
    expect(seen).toEqual([]);
  });

  it('retries a message whose consumer failed transiently, in order, and other groups go on meanwhile', async () => {
    const bus = new InMemoryBus();
    const seen: string[] = [];
    const other: string[] = [];
    let failuresLeft = 3;
    bus.subscribe('t', 'store-user', async (delivered) => {
      if (delivered.value.toString() === 'a' && failuresLeft-- > 0) throw new TransientError('store away');
      seen.push(delivered.value.toString());
    });
    bus.subscribe('t', 'tap', async (delivered) => {
      other.push(delivered.value.toString());
    });
    bus.publish(message('t', 'a'));
    bus.publish(message('t', 'b'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(other).toEqual(['a', 'b']);
    expect(seen).toEqual([]);
    expect(bus.retryStats()).toMatchObject({ retrying: 1, retriesTotal: 1, lastError: 'store away' });
    await bus.whenIdle();
    expect(seen).toEqual(['a', 'b']);
    expect(bus.retryStats()).toMatchObject({ retrying: 0, retriesTotal: 3 });
  });

  it('stops retrying when the subscription closes', async () => {
    const bus = new InMemoryBus();
    let attempts = 0;
    const unsubscribe = bus.subscribe('t', 'g', async () => {
      attempts++;
      throw new TransientError('store away');
    });
    bus.publish(message('t', 'a'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    unsubscribe();
    await bus.whenIdle();
    expect(attempts).toBe(1);
  });

  it('makes the ready probe fail once a consumer has retried one message for 30 s', async () => {
    const bus = new InMemoryBus();
    let now = 1_000_000;
    const indicator = new InMemoryBusHealthIndicator(bus, () => now);
    const unsubscribe = bus.subscribe('t', 'g', async () => {
      throw new TransientError('Redis unavailable');
    });
    expect(await indicator.check()).toMatchObject({ status: 'up', retrying: 0 });
    bus.publish(message('t', 'a'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = Date.now() + 10_000;
    expect(await indicator.check()).toMatchObject({ status: 'up', retrying: 1, last_error: 'Redis unavailable' });
    now = Date.now() + 31_000;
    expect(await indicator.check()).toMatchObject({ status: 'down', retrying: 1, message: expect.stringContaining('Redis unavailable') });
    unsubscribe();
  });
});
