import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureHttpApp } from '../../src/admin/http-app.setup.js';
import { ExecutionQueue, ExecutionQueueHealth, ExecutionQueueModule, QueueUnavailableError, STANDALONE_HTTP } from '../../src/index.js';

/** Nothing listens here. */
const NO_REDIS = 'redis://127.0.0.1:1';
const TOKEN = 'missing-redis-token-0123456789';

describe('a host whose Redis is missing', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ExecutionQueueModule.forRoot({ stateStore: 'redis', redisUrl: NO_REDIS, adminTokens: [TOKEN], http: STANDALONE_HTTP })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(app, 'test');
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

  // The same refusal, through the one filter that maps the queue's typed errors to HTTP.
  it('answers the REST API with 503 naming Redis, not a bare 500', async () => {
    for (const path of ['/api/v1/admin/queue', '/api/v1/admin/executions/any-id', '/api/v1/admin/executions/pending']) {
      const response = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${TOKEN}`);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ status_code: 503, error: 'Service Unavailable', message: expect.stringMatching(/Redis unavailable/) });
    }
  }, 20_000);

  it('reports the store down in the terminus-style indicator, with the reason', async () => {
    const health = await app.get(ExecutionQueueHealth).isHealthy('queue');
    expect(health.queue.status).toBe('down');
    expect(health.queue.queue_state_store).toMatchObject({ status: 'down' });
    expect(health.queue.transport).toMatchObject({ status: 'up' });
  }, 20_000);
});
