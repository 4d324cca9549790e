import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTransportStrategy } from 'execution-queue';
import { AppModule } from './app.module.js';
import type { PlatformSettings } from './platform-config.js';

/** Builds the platform with the queue's transport connected; the caller listens. A bad setting throws (no process exit). */
export async function createPlatform(settings: Partial<PlatformSettings> = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.with(settings), { logger: ['error', 'warn'], abortOnError: false });
  app.connectMicroservice({ strategy: createTransportStrategy(app) });
  await app.startAllMicroservices();
  app.enableShutdownHooks();
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = await createPlatform();
  await app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
}
