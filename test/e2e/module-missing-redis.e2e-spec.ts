import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ExecutionQueue, ExecutionQueueHealth, ExecutionQueueModule, QueueUnavailableError } from '../../src/index.js';

/** Nothing listens here. */
const NO_REDIS = 'redis://127.0.0.1:1';

describe('a host whose Redis is missing', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ExecutionQueueModule.forRoot({ stateStore: 'redis', redisUrl: NO_REDIS })] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  // The module boots anyway: Redis may come up after the host (the store reconnects by itself),
  // and a host's own routes should not die with it. What it cannot do is reported, not hidden.
  it('boots, and each call on the queue fails with QueueUnavailableError naming Redis', async () => {
    const queue = app.get(ExecutionQueue);
    const started = Date.now();
    const errors = await Promise.all(
      [queue.status(), queue.pending(), queue.lookup('any-id'), queue.hold()].map((call) =>
        call.then(
          () => undefined,
          (failure: unknown) => failure,
        ),
      ),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(QueueUnavailableError);
      expect(error).toMatchObject({ code: 'QUEUE_UNAVAILABLE', message: expect.stringMatching(/Redis unavailable/) });
    }
    // Fails fast (one reconnection attempt per call, at most 2 s apart), never hangs.
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  it('reports the store down in the terminus-style indicator, with the reason', async () => {
    const health = await app.get(ExecutionQueueHealth).isHealthy('queue');
    expect(health.queue.status).toBe('down');
    expect(health.queue.queue_state_store).toMatchObject({ status: 'down' });
    expect(health.queue.transport).toMatchObject({ status: 'up' });
  }, 20_000);
});
