import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { WIRE_FIXTURES } from '../../test/fixtures/wire-events.fixtures.js';
import { loadConfig } from '../config/load-config.js';
import { WireCodec } from '../contracts/wire-codec.js';
import { TransientError } from '../ports/transient-error.js';
import { KafkaTransportServer } from './kafka.transport-server.js';
import type { TransportEventPublisher } from './transport-event.publisher.js';

const TOPIC = 'execution_completed';
const codec = new WireCodec();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function messageFor(executionId: string, offset: number): KafkaMessage {
  // The exit code carries the offset, so a handler can tell the order it sees one execution's messages in.
  const event = { ...WIRE_FIXTURES[TOPIC], execution_id: executionId, aggregate_id: executionId, exit_code: offset };
  return { key: Buffer.from(executionId), value: Buffer.from(JSON.stringify(event)), offset: String(offset), headers: {}, timestamp: '0', attributes: 0 };
}

/** The server with one handler for completions, fed one batch by hand (no broker: the unit is the batch handling). */
function setUp(handle: (executionId: string, offset: number) => Promise<void>) {
  const published: number[] = [];
  const publisher = { flush: async (messages: unknown[]) => void published.push(messages.length) } as unknown as TransportEventPublisher;
  const server = new KafkaTransportServer(loadConfig({}).kafka, codec, publisher);
  server.addHandler(TOPIC, (event: { execution_id: string; exit_code: number }) => handle(event.execution_id, event.exit_code), true);
  const resolved: string[] = [];
  const run = (messages: KafkaMessage[]) => {
    const payload = {
      batch: { topic: TOPIC, partition: 0, messages },
      resolveOffset: (offset: string) => void resolved.push(offset),
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    return (server as unknown as { handleBatch(group: string, payload: EachBatchPayload): Promise<void> }).handleBatch('execution-coordinator', payload);
  };
  return { run, resolved, published };
}

describe('KafkaTransportServer batch handling', () => {
  it('handles messages of different executions at once, one execution’s in order, and resolves offsets in order', async () => {
    const running = new Set<string>();
    const seen = new Map<string, number[]>();
    let mostAtOnce = 0;
    let overlaps = 0;
    const { run, resolved } = setUp(async (id, offset) => {
      // Counted, not asserted here: a handler's failure would be dead-lettered, not reported.
      if (running.has(id)) overlaps++;
      running.add(id);
      seen.set(id, [...(seen.get(id) ?? []), offset]);
      mostAtOnce = Math.max(mostAtOnce, running.size);
      await pause(Math.random() * 3);
      running.delete(id);
    });
    const messages = Array.from({ length: 300 }, (_, offset) => messageFor(`exec-${offset % 20}`, offset));

    await run(messages);

    expect(overlaps).toBe(0);
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(32);
    expect(resolved.map(Number)).toEqual([...resolved.map(Number)].sort((a, b) => a - b));
    expect(resolved.at(-1)).toBe('299');
    expect(seen.size).toBe(20);
    for (const [id, offsets] of seen) expect(offsets).toEqual(messages.filter((message) => message.key!.toString() === id).map((message) => Number(message.offset)));
  });

  it('after a transient failure resolves only what came before it, and leaves no handler running', async () => {
    let running = 0;
    const { run, resolved } = setUp(async (id) => {
      running++;
      await pause(id === 'exec-50' ? 5 : 1);
      running--;
      if (id === 'exec-50') throw new TransientError('store away');
    });
    const messages = Array.from({ length: 100 }, (_, offset) => messageFor(`exec-${offset}`, offset));

    await expect(run(messages)).rejects.toThrow('store away');

    expect(running).toBe(0);
    expect(resolved.at(-1)).toBe('49');
  });
});
