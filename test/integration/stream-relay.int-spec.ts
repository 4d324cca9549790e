import type { AddressInfo } from 'node:net';
import { ExecutionQueue } from '../../src/embedding/execution-queue.facade.js';
import { QueueChangeFeed } from '../../src/admin/stream/queue-change.feed.js';
import { freshPrefix } from '../builders/redis-harness.js';
import { SseReader } from '../builders/sse-reader.js';
import { eventually, startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

/** Two replicas on one Redis: what one of them sees reaches the other's admin stream. */
describe('the admin stream across replicas on Redis', () => {
  const keyPrefix = freshPrefix();
  let first: StandaloneApp;
  let second: StandaloneApp;

  beforeAll(async () => {
    const options = { stateStore: 'redis' as const, redisUrl: process.env.REDIS_URL!, redisKeyPrefix: keyPrefix, simulatedRunMs: 5, housekeepingSeconds: 0 };
    first = await startStandaloneApp(options);
    second = await startStandaloneApp(options);
    await second.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('carries changes one replica saw to the streams of the other, each once', async () => {
    const base = `http://127.0.0.1:${(second.app.getHttpServer().address() as AddressInfo).port}`;
    const reader = await SseReader.open(`${base}/api/v1/admin/stream`, TEST_TOKEN);
    await eventually(() => reader.events.length > 0, 'the snapshot');
    const firstOrigin = first.app.get(QueueChangeFeed).origin;
    const queue = first.app.get(ExecutionQueue);
    await queue.hold();
    await queue.submit({ execution_id: 'relay-1', user_id: 'ann', script: 'print(1)', language: 'python', language_version: '3.11' });
    await first.bus.whenIdle();
    await queue.resume();
    await eventually(() => reader.of('change').some((change) => change.type === 'finished' && change.execution_id === 'relay-1'), 'relay-1 finished on the other replica\u2019s stream', 10_000);
    const seen = reader.of('change').map((change) => `${String(change.type)}@${change.origin === firstOrigin ? 'first' : 'other'}`);
    // Resuming dispatches within the same call, so `resumed` follows the dispatch it caused.
    expect(seen).toEqual(['held@first', 'accepted@first', 'dispatched@first', 'resumed@first', 'started@first', 'finished@first']);
    reader.close();
  }, 30_000);
});
