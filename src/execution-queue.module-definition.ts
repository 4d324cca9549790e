import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ROLES, type Role } from './config/execution-queue.options.js';
import type { ExecutionQueueModuleOptions } from './config/module-options.js';

/** Which parts of the service a module instance runs; a host app may pick a subset. */
export interface ExecutionQueueModuleExtras {
  roles: Role[];
}

/** Token of the options exactly as the host gave them (resolved into MODULE_OPTIONS_TOKEN). */
export const GIVEN_MODULE_OPTIONS = Symbol('ExecutionQueueModule given options');

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<ExecutionQueueModuleOptions>({
  optionsInjectionToken: GIVEN_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<ExecutionQueueModuleExtras>({ roles: [...ROLES] })
  .build();

/** Token of the complete, validated `ExecutionQueueOptions` (defaults filled in). */
export const MODULE_OPTIONS_TOKEN = Symbol('ExecutionQueueOptions');

/** Token of the resolved `ExecutionQueueOptions`, for hosts. */
export const EXECUTION_QUEUE_OPTIONS = MODULE_OPTIONS_TOKEN;
