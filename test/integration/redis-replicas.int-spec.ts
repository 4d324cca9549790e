import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { PRIORITIES } from '../../src/contracts/priority.constants.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { kafkaBrokers, useKafkaTestbed } from '../builders/kafka-harness.js';
import { freshPrefix, redisStore, redisUrl } from '../builders/redis-harness.js';
import { freePort, startService, type RunningService } from '../builders/service-process.js';
import { eventually } from '../builders/standalone-app.js';

// Closing a Kafka consumer group can take longer than the 5 s default for hooks.
jest.setTimeout(240_000);

const REQUESTS = 5000;
const USERS = 100;
const MAX_ACTIVE = 40;
const MAX_PER_USER = 30;

/**
 * Two coordinator processes in one consumer group share one Redis; a third process runs the
 * (simulated) pod worker. One coordinator is killed with SIGKILL in the middle of a burst.
 */
describe('coordinator replicas sharing Redis', () => {
  const bed = useKafkaTestbed();
  const processes: RunningService[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((service) => service.stop()));
  }, 60_000);

  async function startRole(roles: string, keyPrefix: string): Promise<RunningService> {
    const service = await startService({
      PORT: String(await freePort()),
      ROLES: roles,
      TRANSPORT: 'kafka',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: bed.prefix,
      STATE_STORE: 'redis',
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      QUEUE_MAX_ACTIVE: String(MAX_ACTIVE),
      QUEUE_MAX_PER_USER: String(MAX_PER_USER),
      QUEUE_MAX_SIZE: String(REQUESTS),
      QUEUE_DISPATCH_GRACE_SECONDS: '3',
      QUEUE_HOUSEKEEPING_SECONDS: '1',
      SIMULATED_RUN_MS: '10',
      ADMIN_TOKENS: 'replica-test-token-0123456789',
      LOG_LEVEL: 'info',
    });
    processes.push(service);
    return service;
  }

  it('keeps every limit exact and dispatches every accepted execution exactly once when one replica is killed mid-burst', async () => {
    const keyPrefix = freshPrefix();
    await bed.probe.createTopics();
    await bed.probe.start();
    const victim = await startRole('coordinator', keyPrefix);
    await startRole('coordinator', keyPrefix);
    await startRole('worker', keyPrefix);

    // Sample the shared state all along: the limits must hold at every moment, not just at the end.
    const observer = redisStore({ maxQueueSize: 1, maxExecutionsPerUser: 1, staleTimeoutSeconds: 1, maxActiveExecutions: 1, recentIdsCapacity: 0, leaseSeconds: 1, dispatchGraceSeconds: 1 }, keyPrefix);
    let maxActiveSeen = 0;
    let maxUserSeen = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [snapshot, users] = await Promise.all([observer.snapshot(), observer.usersPage(0, 1)]);
        maxActiveSeen = Math.max(maxActiveSeen, snapshot.activeCount);
        const top = users.items[0];
        if (top) maxUserSeen = Math.max(maxUserSeen, top.pending + top.active);
        samples++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const ids: string[] = [];
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const id = randomUUID();
      ids.push(id);
      return new ExecutionRequestBuilder().withId(id).withUser(`user-${i % USERS}`).withPriority(PRIORITIES[i % PRIORITIES.length]!).build();
    });
    for (let i = 0; i < requests.length; i += 250) {
      await bed.probe.sendEvents(requests.slice(i, i + 250));
      if (i === 1500) {
        await eventually(() => bed.probe.events('create_pod_command').length > 500, 'the first 500 dispatches', 60_000);
        victim.child.kill('SIGKILL');
      }
    }

    const answered = (id: string) =>
      bed.probe.on('execution_completed', id).length > 0 || bed.probe.events('execution_failed').some((event) => event.execution_id === id);
    const finishedCount = () => new Set([...bed.probe.events('execution_completed'), ...bed.probe.events('execution_failed')].map((event) => event.execution_id)).size;
    await eventually(() => finishedCount() === REQUESTS, `a final answer for all ${REQUESTS} requests`, 150_000).catch((error: Error) => {
      throw new Error(`${error.message} (have ${finishedCount()})`);
    });
    await bed.probe.catchUpOnCommands();
    sampling = false;
    await sampler;
    await observer.close();

    const accepted = new Set(bed.probe.events('execution_accepted').map((event) => event.execution_id));
    const refused = new Set(bed.probe.events('execution_failed').filter((event) => event.error_type === 'resource_limit').map((event) => event.execution_id));
    const sagasById = new Map<string, Set<string>>();
    for (const command of bed.probe.events('create_pod_command')) {
      sagasById.set(command.execution_id, (sagasById.get(command.execution_id) ?? new Set()).add(command.saga_id));
    }
    /** Everything the probe saw about one execution, for a failure message that explains itself. */
    const history = (id: string) =>
      bed.probe.messages
        .filter((message) => message.key === id)
        .map((message) => `${message.topic}${message.json.error_message ? ` (${String(message.json.error_message)})` : ''}`)
        .join(', ');
    const problems: string[] = [];
    for (const id of ids) {
      if (!answered(id)) problems.push(`${id}: no final answer`);
      if (accepted.has(id) === refused.has(id)) problems.push(`${id}: accepted=${accepted.has(id)} refused=${refused.has(id)}`);
      const sagas = sagasById.get(id)?.size ?? 0;
      if (accepted.has(id) && sagas !== 1) problems.push(`${id}: dispatched under ${sagas} sagas; saw ${history(id)}`);
      if (refused.has(id) && sagas !== 0) problems.push(`${id}: refused but dispatched`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(refused.size).toBeGreaterThan(0);
    expect(accepted.size).toBeGreaterThan(REQUESTS / 2);
    expect(samples).toBeGreaterThan(50);
    expect(maxActiveSeen).toBeLessThanOrEqual(MAX_ACTIVE);
    expect(maxUserSeen).toBeLessThanOrEqual(MAX_PER_USER);
    // The victim really died mid-burst, by signal.
    expect(victim.child.signalCode).toBe('SIGKILL');
  }, 240_000);
});
