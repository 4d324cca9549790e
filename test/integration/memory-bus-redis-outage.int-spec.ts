import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { freshPrefix } from '../builders/redis-harness.js';
import { OwnRedisServer } from '../builders/redis-server.js';
import { eventually, startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

jest.setTimeout(120_000);

const SUBMISSIONS = 500;

/**
 * TRANSPORT=memory with STATE_STORE=redis: while Redis is away, the in-process bus keeps each
 * failed delivery at the head of its consumer group and retries it, instead of dropping it.
 */
describe('in-process bus over the Redis store when Redis goes away', () => {
  let redis: OwnRedisServer;
  let service: StandaloneApp | undefined;

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
  });
  afterAll(async () => {
    await service?.close();
    await redis.destroy();
  });

  it('dispatches every one of 500 submissions exactly once after Redis was stopped for 5 s in the middle', async () => {
    service = await startStandaloneApp({
      stateStore: 'redis',
      redisUrl: redis.url,
      redisKeyPrefix: freshPrefix(),
      simulatedRunMs: 20,
      // A call Redis ran just as it stopped has lost its reply: for a dispatch, the command was
      // never published and Redis holds it as dispatched but unconfirmed. The grace period
      // hands it out again; once everything else has finished only the housekeeping timer
      // runs that repair (without it the test failed about one run in five).
      housekeepingSeconds: 1,
    });
    const http = request(service.app.getHttpServer());
    const submit = async (index: number) => {
      const response = await http
        .post('/api/v1/executions')
        .set('Authorization', `Bearer ${TEST_TOKEN}`)
        .send({ execution_id: `bus-${index}-${randomUUID().slice(0, 8)}`, user_id: `user-${index % 10}`, script: 'print(1)', language: 'python', language_version: '3.11' });
      expect(response.status).toBe(202);
      return response.body.execution_id as string;
    };
    const ids: string[] = [];
    for (let index = 0; index < SUBMISSIONS / 2; index++) ids.push(await submit(index));
    await redis.stop();
    const stoppedAt = Date.now();
    for (let index = SUBMISSIONS / 2; index < SUBMISSIONS; index++) ids.push(await submit(index));
    await eventually(() => service!.bus.retryStats().retrying > 0, 'a consumer retrying while Redis is away', 5_000);
    const ready = await http.get('/health/ready');
    expect(ready.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 5_000 - (Date.now() - stoppedAt))));
    await redis.restart();

    const tap = service.tap;
    const finished = () => new Set(tap.ofType('execution_completed').map((event) => event.execution_id));
    await eventually(() => ids.every((id) => finished().has(id)), `all ${SUBMISSIONS} executions completed`, 90_000).catch((error: Error) => {
      const missing = ids.filter((id) => !finished().has(id));
      throw new Error(`${error.message}; ${missing.length} missing, e.g. ${missing.slice(0, 5).join(', ')}`);
    });
    const dispatches = new Map<string, number>();
    for (const command of tap.ofType('create_pod_command')) dispatches.set(command.execution_id, (dispatches.get(command.execution_id) ?? 0) + 1);
    expect(ids.filter((id) => dispatches.get(id) !== 1)).toEqual([]);
    expect(tap.ofType('execution_failed')).toEqual([]);
    expect(tap.deadLetters).toEqual([]);
    expect(service.bus.retryStats().retriesTotal).toBeGreaterThan(0);
    const metrics = await http.get('/metrics');
    expect(metrics.text).toMatch(/execution_queue_transport_retries_total [1-9]/);
    await eventually(async () => (await http.get('/health/ready')).status === 200, 'ready again', 10_000);
  });
});
