import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExecutionQueueModule } from 'execution-queue';
import { register } from 'prom-client';
import { GradingController } from './grading.controller.js';
import { GradingService } from './grading.service.js';
import { OperationsController } from './operations.controller.js';
import { PlatformConfig, PlatformConfigModule, type PlatformSettings } from './platform-config.js';

/** The platform: its own routes and operations endpoints, and the queue as one of its modules. */
@Module({})
export class AppModule {
  static with(settings: Partial<PlatformSettings> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TerminusModule,
        ExecutionQueueModule.forRootAsync({
          imports: [PlatformConfigModule.with(settings)],
          inject: [PlatformConfig],
          useFactory: (config: PlatformConfig) => ({
            queue: { maxActiveExecutions: config.settings.executionSlots, queueOrder: 'fair' },
            simulatedRunMs: config.settings.runMs,
            adminTokens: [config.settings.adminToken],
            metricsRegistry: register,
          }),
          http: { routes: ['api'], prefix: 'queue-admin' },
        }),
      ],
      controllers: [GradingController, OperationsController],
      providers: [GradingService],
    };
  }
}
