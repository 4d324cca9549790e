import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  configureHttpApp,
  createTransportStrategy,
  ExecutionQueueModule,
  STANDALONE_HTTP,
  type ExecutionQueueOptions,
} from '../../src/index.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ExecutionCoordinator } from '../../src/coordinator/execution-coordinator.service.js';
import { IN_MEMORY_BUS } from '../../src/execution-queue.constants.js';
import type { InMemoryBus } from '../../src/kafka-transport/in-memory-bus.js';
import { eventually } from '../builders/standalone-app.js';

/** A host platform's own configuration service, from which the queue takes its settings. */
@Injectable()
class PlatformSettings {
  readonly adminToken = 'host-platform-token-0123456789';
  readonly maxActive = 1;
}

@Module({ providers: [PlatformSettings], exports: [PlatformSettings] })
class PlatformSettingsModule {}

/** A route of the host's own that uses the embedded coordinator. */
@Controller('platform')
class PlatformController {
  constructor(@Inject(ExecutionCoordinator) private readonly coordinator: ExecutionCoordinator) {}

  @Get('queue-depth')
  async depth(): Promise<{ depth: number }> {
    return { depth: (await this.coordinator.status()).pendingCount };
  }
}

@Module({
  imports: [
    ExecutionQueueModule.forRootAsync({
      imports: [PlatformSettingsModule],
      inject: [PlatformSettings],
      useFactory: (settings: PlatformSettings): ExecutionQueueOptions => {
        const defaults = loadConfig({});
        return { ...defaults, adminTokens: [settings.adminToken], simulatedRunMs: 60_000, queue: { ...defaults.queue, maxActiveExecutions: settings.maxActive } };
      },
      roles: ['coordinator', 'worker', 'admin'],
      http: STANDALONE_HTTP,
    }),
  ],
  controllers: [PlatformController],
})
class HostPlatformModule {}

describe('embedding in a host Nest application', () => {
  it('takes its options from the host through forRootAsync and serves next to the host routes', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostPlatformModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(app, 'host');
    app.connectMicroservice({ strategy: createTransportStrategy(app) });
    await app.startAllMicroservices();
    await app.init();
    try {
      const server = app.getHttpServer();
      const auth = { Authorization: 'Bearer host-platform-token-0123456789' };
      for (const user of ['a', 'b', 'c']) {
        await request(server)
          .post('/api/v1/executions')
          .set(auth)
          .send({ user_id: user, script: 'x', language: 'python', language_version: '3.11' })
          .expect(202);
      }
      await app.get<InMemoryBus>(IN_MEMORY_BUS).whenIdle();
      const status = (await request(server).get('/api/v1/admin/queue').set(auth).expect(200)).body;
      expect(status).toMatchObject({ max_active_executions: 1, active_count: 1, queue_depth: 2 });
      await eventually(async () => (await request(server).get('/platform/queue-depth')).body.depth === 2, 'host route sees the queue');
      await request(server).get('/api/v1/admin/queue').set({ Authorization: 'Bearer some-other-token-000000' }).expect(401);
    } finally {
      await app.close();
    }
  });

  it('serves only the chosen roles', async () => {
    const defaults = loadConfig({});
    const moduleRef = await Test.createTestingModule({
      imports: [ExecutionQueueModule.forRoot({ ...defaults, adminTokens: ['worker-only-token-0123456789'], roles: ['worker'], http: STANDALONE_HTTP })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(app, 'host');
    await app.init();
    try {
      const server = app.getHttpServer();
      await request(server).get('/api/v1/admin/queue').set({ Authorization: 'Bearer worker-only-token-0123456789' }).expect(404);
      await request(server).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });
});
