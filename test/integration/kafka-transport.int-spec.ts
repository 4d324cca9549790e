import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { CONSUMER_GROUP_TOPICS } from '../../src/kafka-transport/consumer-groups.constants.js';
import { RejectionMessages } from '../../src/coordinator/domain/rejection-messages.js';
import { anExecutionRequest } from '../builders/execution-request.builder.js';
import { consumerLag, rewindGroup, startKafkaService, useKafkaTestbed } from '../builders/kafka-harness.js';
import { eventually } from '../builders/standalone-app.js';
import { INVALID_MESSAGES } from '../fixtures/invalid-messages.fixtures.js';
import { WIRE_FIXTURES } from '../fixtures/wire-events.fixtures.js';

const DEFAULT_QUEUE = loadConfig({}).queue;
const COMMON_FIELDS = ['event_id', 'event_type', 'event_version', 'timestamp', 'aggregate_id', 'metadata'];

jest.setTimeout(120_000);

describe('Kafka transport against a real broker', () => {
  const bed = useKafkaTestbed();

  async function start(queue: Partial<typeof DEFAULT_QUEUE> = {}, simulatedRunMs = 50) {
    bed.service = await startKafkaService(bed.prefix, { simulatedRunMs, queue: { ...DEFAULT_QUEUE, ...queue } });
    await bed.probe.start();
  }

  it('takes execution_requested to accepted, create_pod_command and completion, in the exact wire shapes', async () => {
    await start();
    const request: Record<string, unknown> = { ...WIRE_FIXTURES.execution_requested!, execution_id: 'kafka-path-1', aggregate_id: 'kafka-path-1', event_id: randomUUID() };
    await bed.probe.sendEvent(request);
    await eventually(() => bed.probe.on('execution_completed', 'kafka-path-1').length === 1, 'completion', 30_000);

    const [accepted] = bed.probe.on('execution_accepted', 'kafka-path-1');
    expect(accepted!.headers).toEqual({ 'content-type': 'application/json' });
    expect(Object.keys(accepted!.json).sort()).toEqual([...COMMON_FIELDS, 'execution_id', 'queue_position', 'estimated_wait_seconds', 'priority'].sort());
    expect(accepted!.json).toMatchObject({
      event_type: 'execution_accepted',
      event_version: '1.0',
      aggregate_id: 'kafka-path-1',
      queue_position: 0,
      estimated_wait_seconds: null,
      priority: 'high',
      metadata: { service_name: 'execution-queue', user_id: 'user-7', environment: 'production' },
    });
    expect(accepted!.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const [command] = bed.probe.on('create_pod_command', 'kafka-path-1');
    const { event_id: _a, timestamp: _b, metadata: _c, event_type: _d, ...requestFields } = request;
    expect(command!.json).toMatchObject({ ...requestFields, event_type: 'create_pod_command', saga_id: expect.any(String) });
    expect(Object.keys(command!.json).sort()).toEqual([...Object.keys(request), 'saga_id'].sort());

    // Every event about one execution is keyed by it, so they share a partition and keep their order.
    const path = bed.probe.messages.filter((message) => message.key === 'kafka-path-1' && message.topic !== 'execution_requested');
    expect(new Set(path.map((message) => message.topic))).toEqual(
      new Set(['execution_accepted', 'create_pod_command', 'pod_created', 'pod_running', 'execution_completed']),
    );
  });

  it('publishes execution_failed for a request over the per-user limit', async () => {
    await start({ maxExecutionsPerUser: 1 }, 60_000);
    await bed.probe.sendEvent(anExecutionRequest().withId('limit-1').withUser('greedy').toJson());
    await bed.probe.sendEvent(anExecutionRequest().withId('limit-2').withUser('greedy').toJson());
    await eventually(() => bed.probe.on('execution_failed', 'limit-2').length === 1, 'rejection', 30_000);
    expect(bed.probe.on('execution_failed', 'limit-2')[0]!.json).toMatchObject({
      error_type: 'resource_limit',
      error_message: RejectionMessages.userLimit(1),
      exit_code: -1,
      resource_usage: null,
    });
  });

  it('dead-letters every kind of poison message and still handles the valid ones behind them', async () => {
    await start();
    // Only topics the bed.service consumes: the pod_* events are for other services.
    const consumed = new Set(Object.values(CONSUMER_GROUP_TOPICS).flat());
    const poison = INVALID_MESSAGES.filter(([, topic]) => consumed.has(topic));
    for (const [, topic, value] of poison) await bed.probe.send(topic, null, value);
    const valid = anExecutionRequest().withId('after-poison').toJson();
    await bed.probe.sendEvent(valid);
    await eventually(() => bed.probe.on('create_pod_command', 'after-poison').length === 1, 'valid request dispatched', 30_000);
    await eventually(() => bed.probe.deadLetters().length === poison.length, `${poison.length} dead letters`, 30_000).catch((error) => {
      const seen = bed.probe.deadLetters().map((letter) => `${letter.original_topic}: ${String(letter.errors)}`.slice(0, 140));
      throw new Error(`${(error as Error).message}; got ${seen.length}:\n${seen.join('\n')}`);
    });

    const letters = bed.probe.deadLetters();
    for (const [name, topic, value, reason] of poison) {
      const raw = value === null ? null : value.toString('utf8');
      const letter = letters.find((candidate) => candidate.original_topic === `${bed.prefix}${topic}` && candidate.value === raw);
      expect({ name, letter }).toMatchObject({
        name,
        letter: { reason: 'invalid_message', consumer_group: expect.stringMatching(/execution-coordinator|k8s-worker$/), partition: expect.any(Number), offset: expect.any(String) },
      });
      expect((letter!.errors as string[]).some((error) => reason.test(error))).toBe(true);
    }
  });

  it('handles a redelivered request and a redelivered completion exactly once', async () => {
    await start({ maxActiveExecutions: 1 }, 600_000);
    const first = anExecutionRequest().withId('dup-a').withUser('u1').toJson();
    await bed.probe.sendEvent(first);
    await bed.probe.sendEvent(first);
    await bed.probe.sendEvent(anExecutionRequest().withId('dup-b').withUser('u2').toJson());
    await bed.probe.sendEvent(anExecutionRequest().withId('dup-c').withUser('u3').toJson());
    // The redelivered request is answered again (its first answer could have died with a
    // crashed replica), but never queued or dispatched twice.
    await eventually(() => bed.probe.on('execution_accepted').length === 4, 'three acceptances and one repeat', 30_000);
    // The three requests sit on different partitions, so the coordinator may see any of them
    // first: the completion is for whichever was dispatched (a pod reports only after its
    // command created it), sent twice, the second time as a new event.
    await eventually(() => bed.probe.on('create_pod_command').length === 1, 'the first dispatch', 30_000);
    const firstDispatched = bed.probe.on('create_pod_command')[0]!.key!;
    const completion = { ...WIRE_FIXTURES.execution_completed!, execution_id: firstDispatched, aggregate_id: firstDispatched };
    await bed.probe.sendEvent(completion);
    await bed.probe.sendEvent({ ...completion, event_id: randomUUID() });
    await eventually(() => bed.probe.on('create_pod_command').length === 2, 'second dispatch', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(bed.probe.on('execution_accepted', 'dup-a')).toHaveLength(2);
    const dispatched = bed.probe.on('create_pod_command').map((message) => message.key);
    // One slot: the repeated completion freed it once, so exactly one more dispatch, of another execution.
    expect(dispatched).toHaveLength(2);
    expect(new Set(dispatched).size).toBe(2);
    for (const id of dispatched) expect(['dup-a', 'dup-b', 'dup-c']).toContain(id);
  });

  it('loses nothing and dispatches nothing twice when the consumer stops mid-stream and the whole topic is replayed', async () => {
    await start({ maxActiveExecutions: 10_000, maxExecutionsPerUser: 10_000 }, 600_000);
    const ids = Array.from({ length: 300 }, (_, i) => `replay-${i}`);
    const sending = (async () => {
      for (const id of ids) await bed.probe.sendEvent(anExecutionRequest().withId(id).withUser(`user-${id.length % 7}`).toJson());
    })();
    await eventually(() => bed.probe.on('execution_accepted').length >= 50, 'some handled', 30_000);
    await bed.service!.restartConsumers();
    await sending;
    await eventually(() => new Set(bed.probe.on('create_pod_command').map((message) => message.key)).size === ids.length, 'every request dispatched', 60_000);

    // Rewind the coordinator's group to the start of the topic while it has no member: every
    // request is delivered again to the same state, as after a crash before the commit.
    const group = `${bed.prefix}execution-coordinator`;
    const topic = `${bed.prefix}execution_requested`;
    await bed.service!.restartConsumers(() => rewindGroup(group, topic));
    await eventually(async () => (await consumerLag(group, topic)) === 0, 'the replay consumed to the end', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // A replayed request is answered again; what must not repeat is the dispatch.
    expect(new Set(bed.probe.on('execution_accepted').map((message) => message.key)).size).toBe(ids.length);
    expect(bed.probe.on('create_pod_command')).toHaveLength(ids.length);
  });
});
