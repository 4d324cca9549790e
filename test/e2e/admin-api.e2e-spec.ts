import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Priority } from '../../src/contracts/priority.constants.js';
import { eventually, startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const DEFAULT_QUEUE = loadConfig({}).queue;

describe('admin REST API', () => {
  let service: StandaloneApp;
  const http = () => request(service.app.getHttpServer());

  afterEach(async () => {
    await service?.close();
  });

  /** A service whose runs last a minute, so what was dispatched stays active during the test. */
  async function start(queue: Partial<typeof DEFAULT_QUEUE> = {}) {
    service = await startStandaloneApp({ simulatedRunMs: 60_000, queue: { ...DEFAULT_QUEUE, ...queue } });
  }

  async function submit(id: string, user = 'alice', priority: Priority = 'normal') {
    await http()
      .post('/api/v1/executions')
      .set(auth)
      .send({ execution_id: id, user_id: user, priority, script: 'x', language: 'python', language_version: '3.11' })
      .expect(202);
  }

  const settle = () => service.bus.whenIdle();

  describe('reads', () => {
    beforeEach(async () => {
      await start({ maxActiveExecutions: 2 });
      await submit('a1', 'alice');
      await submit('a2', 'alice');
      await submit('a3', 'alice', 'low');
      await submit('b1', 'bob', 'high');
      await submit('c1', 'carol', 'critical');
      await submit('b2', 'bob');
      await settle();
    });

    it('lists active executions in dispatch order', async () => {
      const body = (await http().get('/api/v1/admin/executions/active').set(auth).expect(200)).body;
      expect(body.total).toBe(2);
      expect(body.items.map((item: { execution_id: string }) => item.execution_id)).toEqual(['a1', 'a2']);
      expect(body.items[0]).toEqual({ execution_id: 'a1', user_id: 'alice', priority: 'normal', dispatched_at: expect.stringMatching(/Z$/) });
    });

    it('lists pending executions in true queue order, with filters and paging', async () => {
      const all = (await http().get('/api/v1/admin/executions/pending').set(auth).expect(200)).body;
      expect(all.total).toBe(4);
      expect(all.items.map((item: { execution_id: string; position: number }) => [item.execution_id, item.position])).toEqual([
        ['c1', 0],
        ['b1', 1],
        ['b2', 2],
        ['a3', 3],
      ]);
      expect(all.items[0]).toMatchObject({ user_id: 'carol', priority: 'critical', enqueued_at: expect.any(String), age_seconds: expect.any(Number) });
      const page = (await http().get('/api/v1/admin/executions/pending?limit=2&offset=1').set(auth).expect(200)).body;
      expect(page.items.map((item: { execution_id: string }) => item.execution_id)).toEqual(['b1', 'b2']);
      const bob = (await http().get('/api/v1/admin/executions/pending?user_id=bob').set(auth).expect(200)).body;
      expect(bob.items.map((item: { position: number }) => item.position)).toEqual([1, 2]);
      const normal = (await http().get('/api/v1/admin/executions/pending?priority=normal').set(auth).expect(200)).body;
      expect(normal).toMatchObject({ total: 1, items: [{ execution_id: 'b2', position: 2 }] });
      const past = (await http().get('/api/v1/admin/executions/pending?offset=50').set(auth).expect(200)).body;
      expect(past).toEqual({ items: [], total: 4 });
    });

    it('lists users largest first and shows one user with the limit', async () => {
      const users = (await http().get('/api/v1/admin/queue/users').set(auth).expect(200)).body;
      expect(users).toEqual({
        total: 3,
        items: [
          { user_id: 'alice', pending: 1, active: 2, total: 3, weight: 1 },
          { user_id: 'bob', pending: 2, active: 0, total: 2, weight: 1 },
          { user_id: 'carol', pending: 1, active: 0, total: 1, weight: 1 },
        ],
      });
      expect((await http().get('/api/v1/admin/queue/users?limit=1&offset=1').set(auth).expect(200)).body.items).toEqual([
        { user_id: 'bob', pending: 2, active: 0, total: 2, weight: 1 },
      ]);
      expect((await http().get('/api/v1/admin/queue/users/alice').set(auth).expect(200)).body).toEqual({
        user_id: 'alice',
        pending: 1,
        active: 2,
        total: 3,
        weight: 1,
        limit: 100,
      });
      expect((await http().get('/api/v1/admin/queue/users/nobody').set(auth).expect(200)).body).toMatchObject({ total: 0 });
    });

    it('explains why a pending execution waits, and shows an active one', async () => {
      const pending = (await http().get('/api/v1/admin/executions/b2').set(auth).expect(200)).body;
      expect(pending).toMatchObject({ execution_id: 'b2', state: 'pending', position: 2, dispatched_at: null, user_id: 'bob' });
      expect(pending.waiting_reason).toBe('All 2 execution slots are busy (QUEUE_MAX_ACTIVE, 2 active); 2 executions are ahead of it');
      await http().post('/api/v1/admin/queue/hold').set(auth).expect(200);
      const held = (await http().get('/api/v1/admin/executions/c1').set(auth).expect(200)).body;
      expect(held.waiting_reason).toMatch(/^The queue is held by an operator.*it is next in line$/);
      const active = (await http().get('/api/v1/admin/executions/a1').set(auth).expect(200)).body;
      expect(active).toMatchObject({ state: 'active', dispatched_at: expect.any(String), waiting_reason: null });
      expect(active.position).toBeUndefined();
      await http().get('/api/v1/admin/executions/never-heard-of').set(auth).expect(404);
    });
  });

  describe('commands', () => {
    it('reprioritizes a pending execution, refuses an active one, 404s an unknown one', async () => {
      await start({ maxActiveExecutions: 1 });
      for (const id of ['x1', 'x2', 'x3', 'x4']) await submit(id, id);
      await settle();
      const moved = (await http().put('/api/v1/admin/executions/x4/priority').set(auth).send({ priority: 'high' }).expect(200)).body;
      expect(moved).toEqual({ execution_id: 'x4', priority: 'high', position: 0 });
      const order = (await http().get('/api/v1/admin/executions/pending').set(auth).expect(200)).body.items.map((item: { execution_id: string }) => item.execution_id);
      expect(order).toEqual(['x4', 'x2', 'x3']);
      const conflict = await http().put('/api/v1/admin/executions/x1/priority').set(auth).send({ priority: 'high' }).expect(409);
      expect(conflict.body).toMatchObject({ status_code: 409, error: 'Conflict' });
      await http().put('/api/v1/admin/executions/zz/priority').set(auth).send({ priority: 'high' }).expect(404);
      const invalid = await http().put('/api/v1/admin/executions/x2/priority').set(auth).send({ priority: 'asap' }).expect(400);
      expect(invalid.body.fields.map((field: { field: string }) => field.field)).toEqual(['priority']);
    });

    it('cancels a pending execution and a running one (its pod is stopped)', async () => {
      await start({ maxActiveExecutions: 1 });
      await submit('run', 'u1');
      await submit('wait', 'u2');
      await settle();
      expect((await http().delete('/api/v1/admin/executions/wait').set(auth).expect(202)).body).toEqual({ execution_id: 'wait', state: 'pending' });
      expect((await http().delete('/api/v1/admin/executions/run').set(auth).expect(202)).body).toEqual({ execution_id: 'run', state: 'active' });
      await settle();
      const cancellations = service.tap.ofType('execution_cancelled');
      expect(cancellations.map((event) => [event.execution_id, event.cancelled_by, event.force_terminated])).toEqual([
        ['wait', 'admin', false],
        ['run', 'admin', true],
      ]);
      expect(service.tap.ofType('delete_pod_command').map((event) => event.execution_id)).toEqual(['run']);
      expect((await http().get('/api/v1/admin/queue').set(auth).expect(200)).body).toMatchObject({ queue_depth: 0, active_count: 0 });
      await http().delete('/api/v1/admin/executions/run').set(auth).expect(404);
    });

    it('holds and resumes dispatching, answering the queue status', async () => {
      await start();
      const held = (await http().post('/api/v1/admin/queue/hold').set(auth).expect(200)).body;
      expect(held).toMatchObject({ held: true, queue_depth: 0 });
      await submit('h1');
      await settle();
      expect((await http().get('/api/v1/admin/queue').set(auth).expect(200)).body).toMatchObject({ held: true, queue_depth: 1, active_count: 0 });
      const resumed = (await http().post('/api/v1/admin/queue/resume').set(auth).expect(200)).body;
      expect(resumed).toMatchObject({ held: false, queue_depth: 0, active_count: 1 });
    });

    it('keeps pending positions exactly 0..n-1 in the order executions are then dispatched', async () => {
      await start({ maxActiveExecutions: 1000 });
      await http().post('/api/v1/admin/queue/hold').set(auth).expect(200);
      const priorities: Priority[] = ['critical', 'high', 'normal', 'low', 'background'];
      let seed = 7;
      const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const id = `m${i}`;
        ids.push(id);
        await submit(id, `user-${next(5)}`, priorities[next(5)]!);
      }
      await settle();
      for (let i = 0; i < 15; i++) await http().delete(`/api/v1/admin/executions/${ids[next(ids.length)]}`).set(auth);
      for (let i = 0; i < 25; i++) {
        await http().put(`/api/v1/admin/executions/${ids[next(ids.length)]}/priority`).set(auth).send({ priority: priorities[next(5)] });
      }
      await settle();
      const listed = (await http().get('/api/v1/admin/executions/pending?limit=1000').set(auth).expect(200)).body;
      expect(listed.items.map((item: { position: number }) => item.position)).toEqual([...Array(listed.total).keys()]);
      await http().post('/api/v1/admin/queue/resume').set(auth).expect(200);
      await eventually(() => service.tap.ofType('create_pod_command').length === listed.total, 'all dispatched');
      expect(service.tap.ofType('create_pod_command').map((event) => event.execution_id)).toEqual(
        listed.items.map((item: { execution_id: string }) => item.execution_id),
      );
    });
  });

  describe('operations routes', () => {
    beforeEach(() => start({ maxActiveExecutions: 1 }));

    it('answers live and ready without a token, in terminus shape', async () => {
      expect((await http().get('/health/live').expect(200)).body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
      const ready = (await http().get('/health/ready').expect(200)).body;
      expect(ready).toMatchObject({ status: 'ok', error: {}, details: { queue_state_store: { status: 'up', store: 'memory' }, transport: { status: 'up' } } });
    });

    it('exposes Prometheus metrics that follow the queue', async () => {
      await submit('p1', 'u1', 'high');
      await submit('p2', 'u2', 'low');
      await settle();
      const text = (await http().get('/metrics').expect(200).expect('content-type', /text\/plain/)).text;
      expect(text).toMatch(/^execution_queue_depth\{priority="low"\} 1$/m);
      expect(text).toMatch(/^execution_queue_depth\{priority="high"\} 0$/m);
      expect(text).toMatch(/^execution_queue_active 1$/m);
      expect(text).toMatch(/^execution_queue_accepted_total\{priority="high"\} 1$/m);
      expect(text).toMatch(/^execution_queue_dispatched_total\{priority="high"\} 1$/m);
      expect(text).toMatch(/^execution_queue_wait_seconds_count\{priority="high"\} 1$/m);
      await http().delete('/api/v1/admin/executions/p1').set(auth).expect(202);
      await settle();
      const after = (await http().get('/metrics').expect(200)).text;
      expect(after).toMatch(/^execution_queue_cancelled_total 1$/m);
      expect(after).toMatch(/^execution_queue_dispatched_total\{priority="low"\} 1$/m);
    });

    it('documents every route in a valid OpenAPI 3 document', async () => {
      const document = (await http().get('/docs-json').expect(200)).body;
      expect(document.openapi).toMatch(/^3\./);
      const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(routes.sort()).toEqual(
        [
          'POST /api/v1/executions',
          'GET /api/v1/admin/queue',
          'GET /api/v1/admin/queue/users',
          'GET /api/v1/admin/queue/users/{user_id}',
          'PUT /api/v1/admin/queue/users/{user_id}',
          'GET /api/v1/admin/executions/active',
          'GET /api/v1/admin/executions/pending',
          'GET /api/v1/admin/executions/{id}',
          'PUT /api/v1/admin/executions/{id}/priority',
          'DELETE /api/v1/admin/executions/{id}',
          'POST /api/v1/admin/queue/hold',
          'POST /api/v1/admin/queue/resume',
          'GET /api/v1/admin/stream',
          'GET /api/v1/executions/{id}/events',
          'GET /health/live',
          'GET /health/ready',
          'GET /metrics',
        ].sort(),
      );
      for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, { content?: object }>; security?: unknown }>>)) {
        for (const operation of Object.values(methods)) {
          const success = Object.entries(operation.responses).find(([code]) => code.startsWith('2'));
          expect(success?.[1].content).toBeDefined();
          if (path.startsWith('/api/v1/')) {
            expect(operation.security).toEqual([{ bearer: [] }]);
            expect(operation.responses['401']).toBeDefined();
          }
        }
      }
      expect(document.components.schemas.ErrorResponseDto).toBeDefined();
      const validation = spawnSync(process.execPath, ['scripts/validate-openapi.mjs'], { input: JSON.stringify(document), encoding: 'utf8' });
      expect(validation.stderr).toBe('');
      expect(validation.stdout).toMatch(/^valid OpenAPI 3\.0\.0: 15 paths/);
    });

    it('answers 401 on every /api/v1 route without a valid token', async () => {
      const calls = [
        http().get('/api/v1/admin/queue/users'),
        http().get('/api/v1/admin/queue/users/alice'),
        http().get('/api/v1/admin/executions/active'),
        http().get('/api/v1/admin/executions/pending'),
        http().get('/api/v1/admin/executions/x'),
        http().put('/api/v1/admin/executions/x/priority').send({ priority: 'high' }),
        http().delete('/api/v1/admin/executions/x'),
        http().post('/api/v1/admin/queue/hold'),
        http().post('/api/v1/admin/queue/resume'),
      ];
      for (const call of calls) expect((await call.set({ Authorization: 'Bearer wrong-token-value-123' })).status).toBe(401);
      expect((await http().get('/api/v1/admin/queue').set(auth)).body.held).toBe(false);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['priority=urgent', 'priority'],
      ['color=blue', 'color'],
    ])('rejects the query %s naming %s', async (query, field) => {
      const response = await http().get(`/api/v1/admin/executions/pending?${query}`).set(auth).expect(400);
      expect(response.body.fields.map((entry: { field: string }) => entry.field)).toEqual([field]);
    });
  });
});
