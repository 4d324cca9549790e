import fc from 'fast-check';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

/**
 * Throws random and malformed paths, query strings and bodies at every route: nothing may
 * answer 5xx, and a refused call must leave the queue exactly as it was.
 */
const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

type Method = 'get' | 'post' | 'put' | 'delete';
const ROUTES: [Method, (segment: string) => string][] = [
  ['post', () => '/api/v1/executions'],
  ['get', () => '/api/v1/admin/queue'],
  ['get', () => '/api/v1/admin/queue/users'],
  ['get', (segment) => `/api/v1/admin/queue/users/${segment}`],
  ['get', () => '/api/v1/admin/executions/active'],
  ['get', () => '/api/v1/admin/executions/pending'],
  ['get', (segment) => `/api/v1/admin/executions/${segment}`],
  ['put', (segment) => `/api/v1/admin/executions/${segment}/priority`],
  ['delete', (segment) => `/api/v1/admin/executions/${segment}`],
  ['post', () => '/api/v1/admin/queue/hold'],
  ['post', () => '/api/v1/admin/queue/resume'],
  ['get', () => '/health/ready'],
  ['get', () => '/metrics'],
  ['get', (segment) => `/${segment}`],
];

const segment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '..', '%2e%2e', 'queued-1', 'a'.repeat(300), '%00', '😀', '{}', 'null'),
  fc.stringMatching(/^[a-z0-9-]{1,70}$/),
);
const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('limit', 'offset', 'priority', 'user_id', 'x', 'limit[]'), fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String))).map(
    (params) => `?${Object.entries(params).map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`,
  ),
  fc.constantFrom('?limit=1e309', '?offset=9999999999999', '?limit=%', '?priority[]=high', '?limit=1&limit=2'),
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.record({ priority: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }).map((value) => JSON.stringify(value)),
  fc.record(
    {
      user_id: fc.oneof(fc.string({ maxLength: 200 }), fc.integer()),
      script: fc.oneof(fc.string(), fc.constant(null)),
      language: fc.constantFrom('python', 'cobol', ''),
      language_version: fc.string({ maxLength: 5 }),
      timeout_seconds: fc.oneof(fc.integer(), fc.double(), fc.string()),
      runtime_command: fc.oneof(fc.array(fc.anything(), { maxLength: 3 }), fc.string()),
      execution_id: fc.string({ maxLength: 80 }),
    },
    { requiredKeys: [] },
  ).map((value) => JSON.stringify(value)),
  fc.constantFrom('{', '{"priority":', '[', 'null', '"', '\u0000', '{"__proto__":{"admin":true}}'),
);

describe('admin API under random input', () => {
  let service: StandaloneApp;

  beforeAll(async () => {
    service = await startStandaloneApp({ simulatedRunMs: 600_000, queue: { ...loadConfig({}).queue, maxActiveExecutions: 1 } });
    for (const [id, priority] of [['queued-0', 'normal'], ['queued-1', 'low'], ['queued-2', 'high']] as const) {
      await request(service.app.getHttpServer())
        .post('/api/v1/executions')
        .set(auth)
        .send({ execution_id: id, user_id: `user-${id}`, priority, script: 'x', language: 'python', language_version: '3.11' })
        .expect(202);
    }
    await service.bus.whenIdle();
  });

  afterAll(() => service.close());

  async function queueState() {
    const server = service.app.getHttpServer();
    const status = (await request(server).get('/api/v1/admin/queue').set(auth)).body;
    const pending = (await request(server).get('/api/v1/admin/executions/pending?limit=1000').set(auth)).body;
    const active = (await request(server).get('/api/v1/admin/executions/active').set(auth)).body;
    return {
      status: { ...status, oldest_pending_age_seconds: undefined },
      pending: pending.items.map((item: Record<string, unknown>) => [item.execution_id, item.priority, item.position]),
      active: active.items.map((item: Record<string, unknown>) => item.execution_id),
    };
  }

  it('never answers 5xx, and refused calls change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: ROUTES.length - 1 }), segment, query, body, fc.boolean(), async (routeIndex, pathPart, search, payload, withToken) => {
        const [method, path] = ROUTES[routeIndex]!;
        const before = await queueState();
        let call = request(service.app.getHttpServer())[method](path(pathPart) + search);
        if (withToken) call = call.set(auth);
        if (method === 'post' || method === 'put') call = call.set('content-type', 'application/json').send(payload);
        const response = await call;
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.body).toMatchObject({ status_code: response.status, error: expect.any(String), message: expect.any(String) });
          await service.bus.whenIdle();
          expect(await queueState()).toEqual(before);
        } else if (path(pathPart).startsWith('/api/v1/admin/queue/hold')) {
          await request(service.app.getHttpServer()).post('/api/v1/admin/queue/resume').set(auth);
        }
      }),
      { numRuns: 250 },
    );
    // 250 requests take about 2 s alone; a loaded machine running other suites needs more.
  }, 60_000);
});
