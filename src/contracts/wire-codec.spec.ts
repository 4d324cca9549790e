import { WIRE_FIXTURES, FIXTURE_EXECUTION_ID } from '../../test/fixtures/wire-events.fixtures.js';
import { ALL_EVENT_TYPES } from './event-type.constants.js';
import { createEvent } from './event-factory.js';
import { WireCodec } from './wire-codec.js';
import { MAX_MESSAGE_BYTES, MAX_SCRIPT_LENGTH } from './wire-limits.constants.js';

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
  const invalidCases: [string, string, Buffer | string | null, RegExp][] = [
    ['not JSON', 'execution_requested', '{"event_id": ', /not valid JSON/],
    ['a JSON array', 'execution_requested', '[1,2]', /must be a JSON object/],
    ['a JSON string', 'execution_requested', '"hello"', /must be a JSON object/],
    ['an empty value', 'execution_requested', null, /no value/],
    ['an unknown topic', 'no_such_topic', bytes(request), /no known event type/],
    ['the wrong event_type for the topic', 'execution_completed', bytes(request), /event_type must be 'execution_completed'/],
    ['a missing event_type', 'execution_requested', bytes({ ...request, event_type: undefined }), /event_type must be/],
    ['an unknown priority', 'execution_requested', bytes({ ...request, priority: 'urgent' }), /^priority: /],
    ['a numeric priority', 'execution_requested', bytes({ ...request, priority: 1 }), /^priority: /],
    ['timeout_seconds as a string', 'execution_requested', bytes({ ...request, timeout_seconds: '60' }), /^timeout_seconds: /],
    ['a fractional timeout', 'execution_requested', bytes({ ...request, timeout_seconds: 1.5 }), /^timeout_seconds: /],
    ['a zero timeout', 'execution_requested', bytes({ ...request, timeout_seconds: 0 }), /^timeout_seconds: /],
    ['runtime_command as a string', 'execution_requested', bytes({ ...request, runtime_command: 'python main.py' }), /^runtime_command: /],
    ['runtime_command with a number', 'execution_requested', bytes({ ...request, runtime_command: ['python', 3] }), /^runtime_command: /],
    ['a missing script', 'execution_requested', bytes({ ...request, script: undefined }), /^script: /],
    ['an oversized script', 'execution_requested', bytes({ ...request, script: 'x'.repeat(MAX_SCRIPT_LENGTH + 1) }), /^script: .*shorter/],
    ['an oversized message', 'execution_requested', Buffer.alloc(MAX_MESSAGE_BYTES + 1, 32), /above the limit/],
    ['an upper-case execution id', 'execution_requested', bytes({ ...request, execution_id: 'ABC' }), /^execution_id: /],
    ['an execution id with a slash', 'execution_requested', bytes({ ...request, execution_id: 'a/b' }), /^execution_id: /],
    ['a timestamp without offset', 'execution_requested', bytes({ ...request, timestamp: '2026-11-26T13:25:59' }), /^timestamp: /],
    ['a non-uuid event_id', 'execution_requested', bytes({ ...request, event_id: 'abc' }), /^event_id: /],
    ['metadata missing', 'execution_requested', bytes({ ...request, metadata: undefined }), /^metadata: /],
    [
      'an unknown environment',
      'execution_requested',
      bytes({ ...request, metadata: { ...(request.metadata as object), environment: 'moon' } }),
      /^metadata\.environment: /,
    ],
    [
      'a request without a user',
      'execution_requested',
      bytes({ ...request, metadata: { ...(request.metadata as object), user_id: null } }),
      /^metadata\.user_id: /,
    ],
    ['an unknown error_type', 'execution_failed', bytes({ ...WIRE_FIXTURES.execution_failed, error_type: 'oops' }), /^error_type: /],
    ['exit_code as a string', 'execution_failed', bytes({ ...WIRE_FIXTURES.execution_failed, exit_code: '1' }), /^exit_code: /],
    [
      'resource_usage with a negative field',
      'execution_completed',
      bytes({ ...WIRE_FIXTURES.execution_completed, resource_usage: { ...(WIRE_FIXTURES.execution_completed!.resource_usage as object), peak_memory_kb: -1 } }),
      /^resource_usage\.peak_memory_kb: /,
    ],
    ['force_terminated as a string', 'execution_cancelled', bytes({ ...WIRE_FIXTURES.execution_cancelled, force_terminated: 'no' }), /^force_terminated: /],
    [
      'a container status without a name',
      'pod_running',
      bytes({ ...WIRE_FIXTURES.pod_running, container_statuses: [{ ready: true, restart_count: 0, state: 'running' }] }),
      /^container_statuses\.0\.name: /,
    ],
    ['a create command without saga_id', 'create_pod_command', bytes({ ...WIRE_FIXTURES.create_pod_command, saga_id: undefined }), /^saga_id: /],
  ];

  it.each(invalidCases)('rejects %s with a reason', (_name, topic, value, reason) => {
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
