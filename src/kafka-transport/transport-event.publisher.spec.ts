import type { ClientProxy } from '@nestjs/microservices';
import { defer, type Observable } from 'rxjs';
import { WIRE_FIXTURES } from '../../test/fixtures/wire-events.fixtures.js';
import { ExecutionAcceptedEvent } from '../contracts/execution.events.js';
import { WireCodec } from '../contracts/wire-codec.js';
import { PublishTimeoutError } from '../ports/publish-timeout.error.js';
import { TransientError } from '../ports/transient-error.js';
import { TransportEventPublisher } from './transport-event.publisher.js';

/** A client whose sends fail with the given errors first, then succeed; it records what got through. */
function flakyClient(failures: Error[]) {
  const delivered: { topic: string; key: string | null }[] = [];
  const client = {
    emit: (topic: string, message: { key: string | null }): Observable<unknown> =>
      defer(async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        delivered.push({ topic, key: message.key });
      }),
  } as unknown as ClientProxy;
  return { client, delivered };
}

const event = Object.assign(new ExecutionAcceptedEvent(), WIRE_FIXTURES.execution_accepted);

describe('TransportEventPublisher', () => {
  it('retries transient failures with growing backoff until the event is delivered', async () => {
    const kafkaDown = Object.assign(new Error('Connection error: ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    const { client, delivered } = flakyClient([kafkaDown, new TransientError('still down'), kafkaDown]);
    const waits: number[] = [];
    await new TransportEventPublisher(client, new WireCodec('p.'), async (ms) => void waits.push(ms)).publish(event);
    expect(delivered).toEqual([{ topic: 'p.execution_accepted', key: event.execution_id }]);
    expect(waits).toEqual([200, 400, 800]);
  });

  it('fails at once on an error that is not transient', async () => {
    const { client, delivered } = flakyClient([new TypeError('cannot serialise')]);
    await expect(new TransportEventPublisher(client, new WireCodec(), async () => undefined).publish(event)).rejects.toThrow('cannot serialise');
    expect(delivered).toEqual([]);
  });

  it('gives up with PublishTimeoutError when its signal aborts, also in the middle of a send that hangs', async () => {
    const hanging = { emit: () => defer(() => new Promise(() => undefined)) } as unknown as ClientProxy;
    const started = Date.now();
    await expect(new TransportEventPublisher(hanging, new WireCodec()).publish(event, { signal: AbortSignal.timeout(50) })).rejects.toBeInstanceOf(PublishTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    const { client } = flakyClient(Array.from({ length: 100 }, () => new TransientError('down')));
    await expect(new TransportEventPublisher(client, new WireCodec()).publish(event, { signal: AbortSignal.timeout(50) })).rejects.toBeInstanceOf(PublishTimeoutError);
  });
});
