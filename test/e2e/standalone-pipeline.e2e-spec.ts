import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { RejectionMessages } from '../../src/coordinator/domain/rejection-messages.js';
import { SIMULATED_STDOUT } from '../../src/kubernetes-worker/simulated-pod.runtime.js';
import { eventually, startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

const DEFAULT_QUEUE = loadConfig({}).queue;
const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const submission = (overrides: Record<string, unknown> = {}) => ({
  user_id: 'alice',
  script: 'print("hi")',
  language: 'python',
  language_version: '3.11',
  ...overrides,
});

describe('standalone pipeline (REST → coordinator → simulated pods)', () => {
  let service: StandaloneApp;

  afterEach(async () => {
    await service?.close();
  });

  async function submit(overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await request(service.app.getHttpServer()).post('/api/v1/executions').set(auth).send(submission(overrides)).expect(202);
    return response.body.execution_id as string;
  }

  const queueStatus = async () => (await request(service.app.getHttpServer()).get('/api/v1/admin/queue').set(auth).expect(200)).body;

  it('runs one execution through every stage, in the wire shapes of the contract', async () => {
    service = await startStandaloneApp();
    const id = await submit({ priority: 'high', execution_id: 'walkthrough-1' });
    expect(id).toBe('walkthrough-1');
    await eventually(() => service.tap.ofType('execution_completed', id).length === 1, 'completion');
    const types = service.tap.events.filter((event) => event.execution_id === id).map((event) => event.event_type);
    expect(types).toEqual([
      'execution_requested',
      'execution_accepted',
      'create_pod_command',
      'pod_created',
      'pod_running',
      'execution_completed',
    ]);
    const [requested] = service.tap.ofType('execution_requested', id);
    expect(requested).toMatchObject({
      runtime_image: 'python:3.11-slim',
      runtime_command: ['python', '/scripts/main.py'],
      runtime_filename: 'main.py',
      timeout_seconds: 300,
      priority: 'high',
      metadata: { user_id: 'alice', service_name: 'execution-queue', environment: 'test' },
    });
    expect(requested!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(service.tap.ofType('execution_accepted', id)[0]).toMatchObject({ queue_position: 0, estimated_wait_seconds: null, priority: 'high' });
    expect(service.tap.ofType('execution_completed', id)[0]).toMatchObject({ exit_code: 0, stdout: SIMULATED_STDOUT });
    await eventually(async () => (await queueStatus()).active_count === 0, 'slot freed');
  });

  it('dispatches at most QUEUE_MAX_ACTIVE at a time and drains the queue', async () => {
    service = await startStandaloneApp({ simulatedRunMs: 100, queue: { ...DEFAULT_QUEUE, maxActiveExecutions: 2 } });
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await submit({ user_id: `user-${i % 3}` }));
    let peak = 0;
    await eventually(async () => {
      const status = await queueStatus();
      peak = Math.max(peak, status.active_count);
      expect(status.active_count).toBeLessThanOrEqual(2);
      return service.tap.ofType('execution_completed').length === ids.length;
    }, 'all completions');
    expect(peak).toBe(2);
    expect(await queueStatus()).toMatchObject({ queue_depth: 0, active_count: 0, by_priority: { normal: 0 }, oldest_pending_age_seconds: null });
    expect(new Set(service.tap.ofType('create_pod_command').map((event) => event.execution_id))).toEqual(new Set(ids));
  });

  it('rejects over the per-user limit with the limit named', async () => {
    service = await startStandaloneApp({ simulatedRunMs: 60_000, queue: { ...DEFAULT_QUEUE, maxExecutionsPerUser: 2 } });
    await submit();
    await submit();
    const third = await submit();
    await eventually(() => service.tap.ofType('execution_failed', third).length === 1, 'rejection');
    expect(service.tap.ofType('execution_failed', third)[0]).toMatchObject({
      error_type: 'resource_limit',
      error_message: RejectionMessages.userLimit(2),
    });
  });

  it('rejects when the queue is full', async () => {
    service = await startStandaloneApp({ simulatedRunMs: 60_000, queue: { ...DEFAULT_QUEUE, maxQueueSize: 2, maxActiveExecutions: 1 } });
    for (const user of ['a', 'b', 'c']) await submit({ user_id: user });
    await eventually(async () => (await queueStatus()).queue_depth === 2, 'two pending');
    const overflow = await submit({ user_id: 'd' });
    await eventually(() => service.tap.ofType('execution_failed', overflow).length === 1, 'rejection');
    expect(service.tap.ofType('execution_failed', overflow)[0]!.error_message).toBe(RejectionMessages.queueFull(2));
    expect(await queueStatus()).toMatchObject({ queue_depth: 2, active_count: 1, max_queue_size: 2 });
  });

  it('reports the queue status with limits, depth by priority and oldest age', async () => {
    service = await startStandaloneApp({ simulatedRunMs: 60_000, queue: { ...DEFAULT_QUEUE, maxActiveExecutions: 1 } });
    await submit({ user_id: 'a' });
    await submit({ user_id: 'b', priority: 'low' });
    await submit({ user_id: 'c', priority: 'critical' });
    await eventually(async () => (await queueStatus()).queue_depth === 2, 'two pending');
    const status = await queueStatus();
    expect(status).toMatchObject({
      queue_depth: 2,
      active_count: 1,
      max_active_executions: 1,
      max_queue_size: 10000,
      max_executions_per_user: 100,
      stale_timeout_seconds: 3600,
      held: false,
      by_priority: { critical: 1, high: 0, normal: 0, low: 1, background: 0 },
    });
    expect(status.oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
  });

  describe('input errors', () => {
    beforeEach(async () => {
      service = await startStandaloneApp();
    });

    it.each([
      ['no header', {}],
      ['a wrong token', { Authorization: 'Bearer not-the-token-at-all' }],
      ['a malformed header', { Authorization: TEST_TOKEN }],
      ['a basic header', { Authorization: `Basic ${TEST_TOKEN}` }],
    ])('answers 401 with %s, saying nothing more', async (_name, headers) => {
      for (const call of [
        request(service.app.getHttpServer()).get('/api/v1/admin/queue').set(headers),
        request(service.app.getHttpServer()).post('/api/v1/executions').set(headers).send(submission()),
      ]) {
        const response = await call.expect(401);
        expect(response.body).toEqual({ status_code: 401, error: 'Unauthorized', message: 'Unauthorized' });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
      expect(service.tap.events).toEqual([]);
    });

    it('answers 400 naming each bad field, and publishes nothing', async () => {
      const response = await request(service.app.getHttpServer())
        .post('/api/v1/executions')
        .set(auth)
        .send({ user_id: 7, script: 'x', language: 'python', language_version: '3', priority: 'urgent', timeout_seconds: 0, surprise: true })
        .expect(400);
      expect(response.body.status_code).toBe(400);
      expect(response.body.fields.map((field: { field: string }) => field.field).sort()).toEqual(['priority', 'surprise', 'timeout_seconds', 'user_id']);
      await service.bus.whenIdle();
      expect(service.tap.events).toEqual([]);
    });

    it('asks for a runtime when the language is unknown', async () => {
      const response = await request(service.app.getHttpServer())
        .post('/api/v1/executions')
        .set(auth)
        .send(submission({ language: 'cobol', runtime_image: 'cobol:latest' }))
        .expect(400);
      expect(response.body.fields.map((field: { field: string }) => field.field)).toEqual(['runtime_command', 'runtime_filename']);
    });

    it('answers 400 for malformed JSON and 413 for an oversized body', async () => {
      const server = service.app.getHttpServer();
      const malformed = await request(server).post('/api/v1/executions').set(auth).set('content-type', 'application/json').send('{"user_id":').expect(400);
      expect(malformed.body).toMatchObject({ status_code: 400, error: 'Bad Request' });
      const huge = await request(server).post('/api/v1/executions').set(auth).send(submission({ script: 'x'.repeat(3 * 1024 * 1024) })).expect(413);
      expect(huge.body).toMatchObject({ status_code: 413, error: 'Payload Too Large' });
    });

    it('answers 404 in the error shape for unknown routes', async () => {
      const response = await request(service.app.getHttpServer()).get('/api/v1/nothing-here').set(auth).expect(404);
      expect(response.body).toMatchObject({ status_code: 404, error: 'Not Found' });
    });

    it('serves Swagger UI', async () => {
      await request(service.app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
    });
  });

  describe('bad messages on the bus', () => {
    it('dead-letters invalid messages with the reason and keeps consuming', async () => {
      service = await startStandaloneApp();
      const poison = [
        { key: 'x', value: Buffer.from('not json at all') },
        { key: null, value: Buffer.from(JSON.stringify({ event_type: 'execution_requested' })) },
      ];
      for (const message of poison) service.bus.publish({ topic: 'execution_requested', headers: {}, ...message });
      const id = await submit();
      await eventually(() => service.tap.ofType('execution_completed', id).length === 1, 'valid message handled');
      await eventually(() => service.tap.deadLetters.length === 2, 'two dead letters');
      expect(service.tap.deadLetters[0]).toMatchObject({
        original_topic: 'execution_requested',
        partition: 0,
        key: 'x',
        value: 'not json at all',
        reason: 'invalid_message',
        errors: [expect.stringContaining('not valid JSON')],
      });
      expect(service.tap.deadLetters[1]!.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^execution_id: /)]));
    });
  });
});
