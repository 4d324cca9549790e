import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ROLES, type ExecutionQueueOptions, type Role } from './config/execution-queue.options.js';

/** Which parts of the service a module instance runs; a host app may pick a subset. */
export interface ExecutionQueueModuleExtras {
  roles: Role[];
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<ExecutionQueueOptions>()
    .setClassMethodName('forRoot')
    .setExtras<ExecutionQueueModuleExtras>({ roles: [...ROLES] })
    .build();

/** Token of the resolved `ExecutionQueueOptions`. */
export const EXECUTION_QUEUE_OPTIONS = MODULE_OPTIONS_TOKEN;
