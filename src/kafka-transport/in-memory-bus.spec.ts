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
});
