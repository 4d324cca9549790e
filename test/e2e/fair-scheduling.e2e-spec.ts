import { jest } from '@jest/globals';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Priority } from '../../src/contracts/priority.constants.js';
import { startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const DEFAULT_QUEUE = loadConfig({}).queue;

/** Fair order, weights, aging and estimates through the REST API of a standalone service. */
describe('fair scheduling through the admin API', () => {
  jest.setTimeout(30_000);
  let service: StandaloneApp;
  const http = () => request(service.app.getHttpServer());

  afterEach(async () => {
    await service?.close();
  });

  async function start(queue: Partial<typeof DEFAULT_QUEUE>, simulatedRunMs = 60_000) {
    service = await startStandaloneApp({ simulatedRunMs, queue: { ...DEFAULT_QUEUE, ...queue } });
  }

  async function submit(id: string, user: string, priority: Priority = 'normal') {
    await http()
      .post('/api/v1/executions')
      .set(auth)
      .send({ execution_id: id, user_id: user, priority, script: 'x', language: 'python', language_version: '3.11' })
      .expect(202);
  }

  const pendingIds = async (query = '') =>
    (await http().get(`/api/v1/admin/executions/pending${query}`).set(auth).expect(200)).body.items.map((item: { execution_id: string }) => item.execution_id);

  it('lists a flood behind a newcomer under QUEUE_ORDER=fair, and sets weights that order the next turns', async () => {
    await start({ maxActiveExecutions: 1, queueOrder: 'fair' });
    for (const id of ['h1', 'h2', 'h3', 'h4']) await submit(id, 'heavy');
    await submit('n1', 'newcomer');
    await service.bus.whenIdle();
    // h1 runs (heavy's first turn); the newcomer's first turn comes before heavy's second.
    expect(await pendingIds()).toEqual(['n1', 'h2', 'h3', 'h4']);

    const set = await http().put('/api/v1/admin/queue/users/light').set(auth).send({ weight: 3 }).expect(200);
    expect(set.body).toEqual({ user_id: 'light', weight: 3 });
    expect((await http().get('/api/v1/admin/queue/users/light').set(auth).expect(200)).body).toMatchObject({ user_id: 'light', weight: 3, total: 0 });
    for (const id of ['l1', 'l2', 'l3']) await submit(id, 'light');
    await service.bus.whenIdle();
    // Weight 3: light's three turns take as much virtual time as one of heavy's, so all three
    // fit before heavy's second; light's first ties with the newcomer's and arrived later.
    expect(await pendingIds()).toEqual(['n1', 'l1', 'l2', 'l3', 'h2', 'h3', 'h4']);
    const users = (await http().get('/api/v1/admin/queue/users').set(auth).expect(200)).body.items;
    expect(users.find((row: { user_id: string }) => row.user_id === 'light')).toEqual({ user_id: 'light', pending: 3, active: 0, total: 3, weight: 3 });
  });

  it('refuses a weight outside 1..100 or of the wrong type, naming the field', async () => {
    await start({ queueOrder: 'fair' });
    for (const body of [{ weight: 0 }, { weight: 101 }, { weight: 2.5 }, { weight: '3' }, {}, { weight: 3, extra: true }]) {
      const response = await http().put('/api/v1/admin/queue/users/someone').set(auth).send(body).expect(400);
      expect(JSON.stringify(response.body)).toMatch(/weight|extra/);
    }
    await http().put('/api/v1/admin/queue/users/someone').send({ weight: 3 }).expect(401);
  });

  it('shows the requested and the effective priority of an aged execution, and an estimated start once runs were seen', async () => {
    service = await startStandaloneApp({ simulatedRunMs: 200, housekeepingSeconds: 1, queue: { ...DEFAULT_QUEUE, maxActiveExecutions: 1, agingSeconds: 1 } });
    // Five short runs finish first, so the service has run times to estimate from.
    for (let i = 0; i < 5; i++) await submit(`warm-${i}`, 'warm');
    await waitUntil(async () => (await http().get('/api/v1/admin/queue').set(auth)).body.active_count === 0 && (await pendingIds()).length === 0);
    // Held, nothing is dispatched, but scheduling runs (the housekeeping one each second) still age what waits.
    await http().post('/api/v1/admin/queue/hold').set(auth).expect(200);
    await submit('bg', 'u2', 'background');
    await submit('h1', 'u3', 'high');
    await service.bus.whenIdle();
    const before = await lookup('bg');
    expect(before).toMatchObject({ state: 'pending', priority: 'background', effective_priority: 'background', position: 1 });
    expect(Date.parse(before.estimated_start_at)).toBeGreaterThanOrEqual(Date.now() - 1000);
    await waitUntil(async () => (await lookup('bg')).effective_priority === 'normal');
    expect(await lookup('bg')).toMatchObject({ state: 'pending', priority: 'background', effective_priority: 'normal' });
    const pending = (await http().get('/api/v1/admin/executions/pending').set(auth).expect(200)).body.items;
    expect(pending.map((item: { execution_id: string; priority: string; effective_priority: string }) => [item.execution_id, item.priority, item.effective_priority])).toEqual([
      ['h1', 'high', 'high'],
      ['bg', 'background', 'normal'],
    ]);
    for (const item of pending) expect(Date.parse(item.estimated_start_at)).not.toBeNaN();
    // It keeps rising to high, never into critical; there it is older than h1, so it goes first.
    await waitUntil(async () => (await lookup('bg')).effective_priority === 'high');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await pendingIds()).toEqual(['bg', 'h1']);
    expect((await lookup('bg')).effective_priority).toBe('high');
  });

  it('announces estimated_wait_seconds in execution_accepted once runs were seen, and measures it in /metrics', async () => {
    await start({ maxActiveExecutions: 1 }, 300);
    for (let i = 0; i < 5; i++) await submit(`warm-${i}`, 'warm');
    await waitUntil(async () => (await http().get('/api/v1/admin/queue').set(auth)).body.active_count === 0 && (await pendingIds()).length === 0);
    expect(service.tap.ofType('execution_accepted', 'warm-0')[0]).toMatchObject({ estimated_wait_seconds: null });
    for (const id of ['e1', 'e2', 'e3']) await submit(id, 'u1');
    await service.bus.whenIdle();
    const estimates = ['e1', 'e2', 'e3'].map((id) => service.tap.ofType('execution_accepted', id)[0]!.estimated_wait_seconds);
    // e1 takes the free slot; e2 waits for e1 (about one run); e3 for e1 and e2.
    expect(estimates[0]).toBe(0);
    expect(estimates[1]).toBeGreaterThan(0.1);
    expect(estimates[2]).toBeGreaterThan(estimates[1]!);
    await waitUntil(async () => (await pendingIds()).length === 0 && (await http().get('/api/v1/admin/queue').set(auth)).body.active_count === 0);
    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^execution_queue_wait_estimate_ratio_count 2$/m);
  });

  const lookup = async (id: string) => (await http().get(`/api/v1/admin/executions/${id}`).set(auth)).body;

  async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});
