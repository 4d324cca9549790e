import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp } from './admin/http-app.setup.js';
import { StructuredLogger } from './common/structured-logger.js';
import { ConfigError } from './config/config.errors.js';
import { loadConfig } from './config/load-config.js';
import type { ServiceConfiguration } from './config/execution-queue.options.js';
import { ExecutionQueueModule } from './execution-queue.module.js';
import { STANDALONE_HTTP } from './execution-queue.module-definition.js';
import { createTransportStrategy } from './transport-strategy.factory.js';

function readConfig(): ServiceConfiguration {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const logger = new StructuredLogger(config.logLevel, config.logFormat);
  const app = await NestFactory.create(ExecutionQueueModule.forRoot({ ...config, http: STANDALONE_HTTP }), { logger });
  configureHttpApp(app, config.serviceVersion);
  app.connectMicroservice({ strategy: createTransportStrategy(app) });
  await app.startAllMicroservices();
  const host = process.env.HOST?.trim() || '0.0.0.0';
  await app.listen(config.port, host);
  logger.log(
    `Execution Queue listening on http://${host}:${config.port} (roles ${config.roles.join(',')}, transport ${config.transport}, ` +
      `store ${config.stateStore}, runtime ${config.podRuntime}); API docs at /docs`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Execution Queue failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
