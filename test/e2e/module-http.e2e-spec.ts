import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ConfigError, ExecutionQueueModule, type ExecutionQueueHttpOptions, type HttpRouteGroup } from '../../src/index.js';

const TOKEN = 'host-admin-token-0123456789';

/** Routes of the host's own, with its own conventions (no validation pipe, Nest's error shape). */
@Controller('platform')
class PlatformController {
  @Post('echo')
  echo(@Body() body: Record<string, unknown>): Record<string, unknown> {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('host failure');
  }
}

async function hostWith(http?: ExecutionQueueHttpOptions): Promise<INestApplication> {
  @Module({ imports: [ExecutionQueueModule.forRoot({ adminTokens: [TOKEN], http })], controllers: [PlatformController] })
  class HostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('the module\u2019s HTTP routes in a host application', () => {
  it('mounts only the routes asked for, under the host\u2019s prefix, with its validation and error shape on its own routes only', async () => {
    const app = await hostWith({ routes: ['api', 'health'], prefix: 'queue-admin' });
    try {
      const server = app.getHttpServer();
      const auth = { Authorization: `Bearer ${TOKEN}` };
      await request(server).get('/queue-admin/health/live').expect(200);
      await request(server).get('/queue-admin/api/v1/admin/queue').set(auth).expect(200);
      const refused = await request(server).post('/queue-admin/api/v1/executions').set(auth).send({ user_id: 'ann', language: 'python' }).expect(400);
      expect(refused.body).toMatchObject({ status_code: 400, error: 'Bad Request' });
      expect(refused.body.fields.map((field: { field: string }) => field.field)).toContain('script');
      await request(server).post('/queue-admin/api/v1/executions').set(auth).send({ user_id: 'ann', script: 'x', language: 'python', language_version: '3.11' }).expect(202);
      // Nothing at the root, and no metrics: they were not asked for.
      await request(server).get('/api/v1/admin/queue').set(auth).expect(404);
      await request(server).get('/health/live').expect(404);
      await request(server).get('/queue-admin/metrics').expect(404);
      // The host's routes keep their own behaviour: no pipe strips or refuses unknown fields,
      // and errors keep Nest's default shape.
      expect((await request(server).post('/platform/echo').send({ anything: 1, nested: { x: true } }).expect(201)).body).toEqual({ anything: 1, nested: { x: true } });
      expect((await request(server).get('/platform/boom').expect(500)).body).toEqual({ statusCode: 500, message: 'Internal server error' });
    } finally {
      await app.close();
    }
  });

  it('serves no HTTP route at all unless the host asks', async () => {
    const app = await hostWith(undefined);
    try {
      const server = app.getHttpServer();
      for (const path of ['/health/live', '/metrics', '/api/v1/admin/queue']) await request(server).get(path).set({ Authorization: `Bearer ${TOKEN}` }).expect(404);
    } finally {
      await app.close();
    }
  });

  it('refuses route groups and prefixes it does not understand, naming them', () => {
    expect(() => ExecutionQueueModule.forRoot({ http: { routes: ['api', 'admin' as HttpRouteGroup] } })).toThrow(ConfigError);
    expect(() => ExecutionQueueModule.forRoot({ http: { routes: ['api', 'admin' as HttpRouteGroup] } })).toThrow(/http\.routes: expected a subset of api, health, metrics/);
    expect(() => ExecutionQueueModule.forRoot({ http: { routes: ['health'], prefix: 'queue admin' } })).toThrow(/http\.prefix: expected a path such as 'queue-admin', got 'queue admin'/);
  });
});
