import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import kafkajs from 'kafkajs';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { anExecutionRequest } from '../builders/execution-request.builder.js';
import { kafkaBrokers, startKafkaService, useKafkaTestbed } from '../builders/kafka-harness.js';
import { eventually } from '../builders/standalone-app.js';

jest.setTimeout(180_000);

const DEFAULT_QUEUE = loadConfig({}).queue;
/** The broker can only be stopped and started when `npm run infra:up` started it. */
const ownsBroker = existsSync('.infra/kafka.pid');

function broker(action: 'up' | 'down'): void {
  const env = { ...process.env };
  delete env.KAFKA_BROKERS;
  const result = spawnSync('bash', ['scripts/infra/kafka.sh', action], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kafka.sh ${action} failed: ${result.stdout}${result.stderr}`);
}

/** How often each id occurs. */
function countsPerId(keys: (string | null)[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

describe('Kafka transport when things go wrong', () => {
  const bed = useKafkaTestbed();

  const allCompleted = (ids: string[], what: string, timeoutMs: number) =>
    eventually(() => {
      const completed = new Set(bed.probe.on('execution_completed').map((message) => message.key));
      return ids.every((id) => completed.has(id));
    }, what, timeoutMs);

  /** Ids with more than one saga among the create_pod_commands the probe saw, with their sagas. */
  function dispatchedMoreThanOnce(ids: string[]): string[] {
    const sagas = new Map<string | null, Set<string>>();
    for (const command of bed.probe.on('create_pod_command')) sagas.set(command.key, (sagas.get(command.key) ?? new Set()).add(String(command.json.saga_id)));
    return ids.filter((id) => (sagas.get(id)?.size ?? 0) > 1).map((id) => `${id}: ${[...sagas.get(id)!].join(', ')}`);
  }

  (ownsBroker ? it : it.skip)('recovers without a restart when the broker is stopped for 10 s under load, losing nothing', async () => {
    bed.service = await startKafkaService(bed.prefix, { simulatedRunMs: 20, queue: { ...DEFAULT_QUEUE, maxActiveExecutions: 10_000, maxExecutionsPerUser: 10_000 } });
    await bed.probe.start();
    const producer = new kafkajs.Kafka({ clientId: 'load', brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 50, maxRetryTime: 2000 } }).producer();
    await producer.connect();
    const sent: string[] = [];
    let stopLoad = false;
    const load = (async () => {
      for (let i = 0; !stopLoad; i++) {
        const request = anExecutionRequest().withId(`load-${i}`).withUser(`user-${i % 20}`).toJson();
        try {
          await producer.send({ topic: `${bed.prefix}execution_requested`, acks: -1, messages: [{ key: String(request.execution_id), value: JSON.stringify(request) }] });
          sent.push(String(request.execution_id));
        } catch {
          // Not acknowledged: not sent. Only acknowledged requests must come through.
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await eventually(() => bed.probe.on('execution_completed').length >= 50, 'traffic flowing', 30_000);
    broker('down');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    broker('up');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    stopLoad = true;
    await load;
    await producer.disconnect();

    // Requests whose send failed may have been written all the same, so wait for exactly the sent ones.
    await allCompleted(sent, 'every request completed', 120_000);
    // Delivery is at least once: a produce request cut off by the outage may be retried after it
    // was in fact written, and a request whose batch was not committed is handled again, as a
    // duplicate that repeats its answer (a fresh execution_accepted). What must hold is that
    // the coordinator decided once: one dispatch (one saga) per execution, and no refusal of an
    // accepted one. (Every acknowledged request has completed, which it cannot without its dispatch.)
    const dispatchedTwice = dispatchedMoreThanOnce(sent);
    expect({ dispatchedTwice: dispatchedTwice.slice(0, 10), total: dispatchedTwice.length }).toEqual({ dispatchedTwice: [], total: 0 });
    const refused = new Set(bed.probe.on('execution_failed').map((message) => message.key));
    expect(sent.filter((id) => refused.has(id))).toEqual([]);
    expect(sent.length).toBeGreaterThan(100);
  });

  (ownsBroker ? it : it.skip)('answers every submission within the submit timeout while the broker is down, and loses none it answered 202', async () => {
    const token = 'integration-token-0123456789';
    bed.service = await startKafkaService(bed.prefix, { simulatedRunMs: 20 }, true);
    await bed.probe.start();
    const http = request(bed.service.app.getHttpServer());
    const submit = async (executionId: string) => {
      const started = Date.now();
      const response = await http
        .post('/api/v1/executions')
        .set('Authorization', `Bearer ${token}`)
        .send({ execution_id: executionId, user_id: 'broker-outage', script: 'print(1)', language: 'python', language_version: '3.11' });
      return { executionId, status: response.status, body: response.body as Record<string, unknown>, retryAfter: response.headers['retry-after'], ms: Date.now() - started };
    };
    const answers = [await submit('post-before-0'), await submit('post-before-1')];
    // Stop the broker only once the service's consumers are settled (a consumer still joining
    // its group when the broker goes away gives up for good).
    await eventually(() => ['post-before-0', 'post-before-1'].every((id) => bed.probe.on('execution_completed', id).length > 0), 'the first submissions completed', 90_000);
    broker('down');
    try {
      // Concurrent, so the outage stays short (a client's consumer gives up after long ones).
      answers.push(...(await Promise.all(Array.from({ length: 6 }, (_, i) => submit(`post-during-${i}`)))));
    } finally {
      broker('up');
    }
    answers.push(await submit('post-after-0'));

    const during = answers.filter((answer) => answer.executionId.startsWith('post-during'));
    expect(answers.filter((answer) => answer.ms > 6_000).map((answer) => `${answer.executionId}: ${answer.ms} ms`)).toEqual([]);
    for (const answer of during.filter((candidate) => candidate.status !== 202)) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '5', body: { status_code: 503, error: 'Service Unavailable', execution_id: answer.executionId } });
    }
    expect(during.filter((answer) => answer.status === 503).length).toBeGreaterThan(0);
    // A client does what the 503 says: submits again with the same id once the broker is back.
    for (const answer of during.filter((candidate) => candidate.status === 503)) expect((await submit(answer.executionId)).status).toBe(202);

    const ids = answers.map((answer) => answer.executionId);
    await allCompleted(ids, 'every submission completed', 90_000);
    // A 503 whose send arrived after all is a duplicate of its retry: never a second dispatch.
    // (The probe may miss a command written around the outage; the completion proves it.)
    expect(dispatchedMoreThanOnce(ids)).toEqual([]);
  });

  it('on SIGTERM stops consuming, commits what it handled and exits; a successor handles only the rest', async () => {
    await bed.probe.createTopics();
    await bed.probe.start();
    // A first batch is waiting before the first process starts; a second batch is written only
    // after it exited, so the successor always has work of its own however fast the first was.
    const sendRequests = async (batch: string[]): Promise<void> => {
      for (const id of batch) await bed.probe.sendEvent(anExecutionRequest().withId(id).withUser(`user-${id.length}`).toJson());
    };
    const beforeTerm = Array.from({ length: 400 }, (_, i) => `term-a${i}`);
    const afterTerm = Array.from({ length: 200 }, (_, i) => `term-b${i}`);
    const ids = [...beforeTerm, ...afterTerm];
    await sendRequests(beforeTerm);
    const env = {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      TRANSPORT: 'kafka',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: bed.prefix,
      ROLES: 'coordinator',
      QUEUE_MAX_ACTIVE: '1',
      QUEUE_MAX_SIZE: '100000',
      QUEUE_MAX_PER_USER: '100000',
      LOG_LEVEL: 'warn',
      ADMIN_TOKENS: 'sigterm-test-token-0123456789',
    };
    const first = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await eventually(() => bed.probe.on('execution_accepted').length >= 40, 'first process handling', 60_000);
    first.kill('SIGTERM');
    const [code, signal] = (await once(first, 'exit')) as [number | null, string | null];
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    await sendRequests(afterTerm);

    const second: ChildProcess = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await eventually(() => bed.probe.on('execution_accepted').length >= ids.length, 'successor handled the rest', 90_000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      // The successor starts with empty memory, so a request the first process handled but did
      // not commit would be accepted a second time.
      const counts = countsPerId(bed.probe.on('execution_accepted').map((message) => message.key));
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    } finally {
      second.kill('SIGTERM');
      await once(second, 'exit');
    }
  });
});
