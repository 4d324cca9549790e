import type { AddressInfo } from 'node:net';
import { ExecutionQueue } from '../../src/embedding/execution-queue.facade.js';
import { freePort, startService, type RunningService } from '../builders/service-process.js';
import { SseReader } from '../builders/sse-reader.js';
import { eventually, startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

const submission = (id: string, user: string) => ({ execution_id: id, user_id: user, script: 'print(1)', language: 'python', language_version: '3.11' });

async function listening(service: StandaloneApp): Promise<string> {
  await service.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(service.app.getHttpServer().address() as AddressInfo).port}`;
}

/**
 * The built service runs as its own process: a client in the same process as the queue could
 * read only while the queue is idle, which would make every busy moment look like a slow client.
 */
describe('the live admin stream', () => {
  let service: RunningService;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    service = await startService({
      PORT: String(port),
      ADMIN_TOKENS: TEST_TOKEN,
      SIMULATED_RUN_MS: '5',
      QUEUE_HOUSEKEEPING_SECONDS: '0',
      QUEUE_MAX_PER_USER: '100000',
      STREAM_STATUS_SECONDS: '1',
      STREAM_MAX_BUFFERED_KB: '256',
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => service.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  /** Submits in waves of 50 concurrent POSTs. */
  const submitAll = async (ids: string[], users: number) => {
    for (let start = 0; start < ids.length; start += 50) {
      await Promise.all(ids.slice(start, start + 50).map((id, index) => call('POST', '/api/v1/executions', submission(id, `user-${(start + index) % users}`))));
    }
  };
  const finishedOf = (reader: SseReader, prefix: string) => reader.of('change').filter((change) => change.type === 'finished' && String(change.execution_id).startsWith(prefix));

  it('refuses a client without a valid token', async () => {
    expect((await SseReader.open(`${base}/api/v1/admin/stream`, null)).status).toBe(401);
    expect((await SseReader.open(`${base}/api/v1/admin/stream`, 'not-the-token-0123456789')).status).toBe(401);
  });

  it('sends a snapshot, then every change of 1,000 executions exactly once and in order per execution', async () => {
    const reader = await SseReader.open(`${base}/api/v1/admin/stream`, TEST_TOKEN);
    expect(reader.status).toBe(200);
    await eventually(() => reader.events.length > 0, 'the snapshot');
    expect(reader.events[0]!.event).toBe('snapshot');
    expect(reader.events[0]!.data).toMatchObject({ status: { active_count: 0 }, pending: { items: [] } });

    const ids = Array.from({ length: 1000 }, (_, index) => `stream-${index}`);
    await submitAll(ids, 10);
    await eventually(() => finishedOf(reader, 'stream-').length === ids.length, 'every execution finished on the stream', 30_000);

    const byExecution = new Map<string, string[]>();
    for (const change of reader.of('change')) {
      const id = change.execution_id as string;
      byExecution.set(id, [...(byExecution.get(id) ?? []), change.type as string]);
    }
    const wrong = ids.filter((id) => (byExecution.get(id) ?? []).join(',') !== 'accepted,dispatched,started,finished');
    expect(wrong.map((id) => `${id}: ${byExecution.get(id)?.join(',')}`)).toEqual([]);
    // Each frame carries its replica and that replica's counter, without gaps or repeats.
    const seqs = reader.of('change').map((change) => change.seq as number);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    await eventually(() => reader.of('status').length > 0, 'a periodic status frame', 3_000);
    reader.close();
  }, 60_000);

  it('reports what operators do', async () => {
    const reader = await SseReader.open(`${base}/api/v1/admin/stream`, TEST_TOKEN);
    await eventually(() => reader.events.length > 0, 'the snapshot');
    await call('POST', '/api/v1/admin/queue/hold');
    await submitAll(['op-1', 'op-2'], 2);
    await eventually(() => reader.of('change').filter((change) => change.type === 'accepted' && String(change.execution_id).startsWith('op-')).length === 2, 'both accepted');
    await call('PUT', '/api/v1/admin/executions/op-2/priority', { priority: 'critical' });
    await call('PUT', '/api/v1/admin/queue/users/user-0', { weight: 3 });
    await call('POST', '/api/v1/admin/queue/resume');
    await eventually(() => finishedOf(reader, 'op-').length === 2, 'both finished');
    const operatorChanges = reader.of('change').filter((change) => ['held', 'reprioritized', 'weight_changed', 'resumed'].includes(change.type as string));
    expect(operatorChanges).toEqual([
      expect.objectContaining({ type: 'held' }),
      expect.objectContaining({ type: 'reprioritized', execution_id: 'op-2', priority: 'critical', position: 0 }),
      expect.objectContaining({ type: 'weight_changed', user_id: 'user-0', weight: 3 }),
      expect.objectContaining({ type: 'resumed' }),
    ]);
    reader.close();
  });

  it('drops a client that stops reading, while the others and the queue carry on', async () => {
    const reader = await SseReader.open(`${base}/api/v1/admin/stream`, TEST_TOKEN);
    const stuck = await SseReader.open(`${base}/api/v1/admin/stream`, TEST_TOKEN, { paused: true });
    // The kernel keeps some megabytes for a socket whose reader has stopped before the server sees
    // any backlog, and how many depends on the machine's TCP settings: executions go on in waves
    // of 1,000 (about 1 MB of frames) until the server has dropped the stuck client.
    const droppedCount = async () => Number(/^execution_queue_stream_dropped_total (\d+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    const ids: string[] = [];
    for (let wave = 0; wave < 40 && (await droppedCount()) === 0; wave++) {
      const waveIds = Array.from({ length: 1000 }, (_, index) => `slow-${wave}-${index}`);
      ids.push(...waveIds);
      await submitAll(waveIds, 50);
    }
    // So many waves outlast the stale timeout: an execution ends finished, expired, or rejected once the queue is full.
    const endedOf = () => reader.of('change').filter((change) => ['finished', 'expired', 'rejected'].includes(change.type as string) && String(change.execution_id).startsWith('slow-'));
    await eventually(() => endedOf().length === ids.length, 'every execution ended for the reading client', 180_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${endedOf().length} of ${ids.length} seen, reader ended=${reader.ended}`);
    });
    // The stuck client cannot notice (it reads nothing, not even the reset): the server says it.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^execution_queue_stream_dropped_total 1$/m);
    expect(metrics).toMatch(/^execution_queue_stream_clients 1$/m);
    expect(reader.ended).toBe(false);
    reader.close();
    stuck.close();
  }, 400_000);
});

describe('the stream of one execution', () => {
  let service: StandaloneApp;
  let base: string;

  beforeAll(async () => {
    service = await startStandaloneApp({ simulatedRunMs: 150, housekeepingSeconds: 0, queue: { ...(await import('../../src/config/load-config.js')).loadConfig({}).queue, maxActiveExecutions: 1 } });
    base = await listening(service);
  });
  afterAll(() => service.close());

  it('reports the position falling to 0, then the dispatch, the run and the outcome, and ends', async () => {
    const queue = service.app.get(ExecutionQueue);
    for (let index = 0; index < 5; index++) await queue.submit(submission(`one-${index}`, `user-${index}`));
    await service.bus.whenIdle();
    const reader = await SseReader.open(`${base}/api/v1/executions/one-4/events`, TEST_TOKEN);
    expect(reader.status).toBe(200);
    await reader.whenEnded();
    const names = reader.events.map((entry) => entry.event);
    const positions = reader.of('state').map((state) => state.position);
    expect(positions).toEqual([3, 2, 1, 0]);
    expect(reader.of('state')[0]).toMatchObject({ execution_id: 'one-4', state: 'pending', waiting_reason: expect.any(String) });
    expect(names.slice(positions.length)).toEqual(['dispatched', 'running', 'finished']);
    expect(reader.of('finished')[0]).toMatchObject({ execution_id: 'one-4', outcome: 'completed' });
  }, 30_000);

  it('answers 404 for an execution that is neither pending nor active, and 401 without the token', async () => {
    expect((await SseReader.open(`${base}/api/v1/executions/no-such-execution/events`, TEST_TOKEN)).status).toBe(404);
    expect((await SseReader.open(`${base}/api/v1/executions/one-0/events`, null)).status).toBe(401);
  });
});

describe('dead letters on the admin stream', () => {
  let service: StandaloneApp;
  let base: string;

  beforeAll(async () => {
    const defaults = (await import('../../src/config/load-config.js')).loadConfig({});
    service = await startStandaloneApp({ housekeepingSeconds: 0, stream: { ...defaults.stream, statusSeconds: 1 } });
    base = await listening(service);
  });
  afterAll(() => service.close());

  it('counts a malformed request by reason in the next status frame', async () => {
    const reader = await SseReader.open(`${base}/api/v1/admin/stream`, TEST_TOKEN);
    await eventually(() => reader.of('snapshot').length === 1, 'the snapshot');
    const before = (reader.of('snapshot')[0]!.dead_letters as Record<string, number>).invalid_message!;
    service.bus.publish({ topic: 'execution_requested', key: 'broken', value: Buffer.from('{"event_type": "execution_requested", "script": 42'), headers: {} });
    await eventually(() => reader.of('status').some((status) => (status.dead_letters as Record<string, number>).invalid_message === before + 1), 'a status frame with the dead letter', 5000);
    expect(service.tap.deadLetters).toEqual([expect.objectContaining({ reason: 'invalid_message' })]);
    reader.close();
  });
});
