import { INVALID_MESSAGES } from '../../test/fixtures/invalid-messages.fixtures.js';
import { WIRE_FIXTURES, FIXTURE_EXECUTION_ID } from '../../test/fixtures/wire-events.fixtures.js';
import { ALL_EVENT_TYPES } from './event-type.constants.js';
import { createEvent } from './event-factory.js';
import { WireCodec } from './wire-codec.js';

const codec = new WireCodec();
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

function errorsFor(topic: string, value: Buffer | string | null, key: string | null = FIXTURE_EXECUTION_ID): string[] {
  const result = codec.decode(topic, key, value);
  if (result.ok) throw new Error(`expected ${topic} message to be invalid`);
  return result.errors;
}

describe('WireCodec', () => {
  it('has a fixture for every event type of the contract', () => {
    expect(Object.keys(WIRE_FIXTURES).sort()).toEqual([...ALL_EVENT_TYPES].sort());
  });

  describe.each(Object.entries(WIRE_FIXTURES))('%s fixture', (eventType, fixture) => {
    it('decodes into a typed event with every field kept', () => {
      const result = codec.decode(eventType, FIXTURE_EXECUTION_ID, bytes(fixture));
      expect(result).toMatchObject({ ok: true });
      if (result.ok) {
        expect(result.event.constructor.name).not.toBe('Object');
        expect(JSON.parse(JSON.stringify(result.event))).toEqual(fixture);
      }
    });

    it('encodes back to the same JSON, keyed by execution id, with a JSON content type', () => {
      const decoded = codec.decode(eventType, null, bytes(fixture));
      if (!decoded.ok) throw new Error(decoded.errors.join('; '));
      const message = codec.encode(decoded.event);
      expect(message.topic).toBe(eventType);
      expect(message.key).toBe(FIXTURE_EXECUTION_ID);
      expect(message.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(message.value.toString('utf8'))).toEqual(fixture);
    });

    it('rejects the message when execution_id is missing', () => {
      const { execution_id: _dropped, ...rest } = fixture;
      expect(errorsFor(eventType, bytes(rest), null)).toEqual(expect.arrayContaining([expect.stringMatching(/^execution_id: /)]));
    });
  });

  it('defaults a missing priority to normal', () => {
    const { priority: _dropped, ...rest } = WIRE_FIXTURES.execution_requested!;
    const result = codec.decode('execution_requested', null, bytes(rest));
    expect(result.ok && result.event.event_type === 'execution_requested' && result.event.priority).toBe('normal');
  });

  it('tolerates unknown extra fields', () => {
    const result = codec.decode('execution_requested', null, bytes({ ...WIRE_FIXTURES.execution_requested, future_field: { a: 1 } }));
    expect(result.ok).toBe(true);
  });

  it('uses the topic prefix to find the event type', () => {
    const prefixed = new WireCodec('staging.');
    expect(prefixed.decode('staging.pod_created', null, bytes(WIRE_FIXTURES.pod_created)).ok).toBe(true);
    expect(prefixed.decode('pod_created', null, bytes(WIRE_FIXTURES.pod_created)).ok).toBe(false);
    expect(prefixed.topicOf('pod_created')).toBe('staging.pod_created');
  });

  const request = WIRE_FIXTURES.execution_requested!;

  it.each(INVALID_MESSAGES)('rejects %s with a reason', (_name, topic, value, reason) => {
    expect(errorsFor(topic, value, null)).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
  });

  it('rejects a key that differs from execution_id', () => {
    expect(errorsFor('execution_requested', bytes(request), 'some-other-id')).toEqual([expect.stringMatching(/^key: /)]);
  });

  it('lists every bad field at once', () => {
    const errors = errorsFor('execution_requested', bytes({ ...request, priority: 'x', timeout_seconds: -1, language: 7 }), null);
    expect(errors.map((error) => error.split(':')[0])).toEqual(expect.arrayContaining(['priority', 'timeout_seconds', 'language']));
  });

  it('stamps created events in the wire format, which decode again', () => {
    const event = createEvent(
      'execution_accepted',
      { execution_id: 'abc', queue_position: 3, estimated_wait_seconds: null, priority: 'low' },
      { userId: 'u' },
      { serviceName: 'execution-queue', serviceVersion: '0.1.0', environment: 'test' },
      new Date(Date.UTC(2026, 10, 26, 13, 25, 59, 225)),
    );
    expect(event.timestamp).toBe('2026-11-26T13:25:59.225000Z');
    expect(event.aggregate_id).toBe('abc');
    const message = codec.encode(event);
    expect(codec.decode(message.topic, message.key, message.value)).toMatchObject({ ok: true });
  });
});
