import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import type { PodRuntime } from './ports/pod-runtime.port.js';
import { ROLES, type Role } from './config/execution-queue.options.js';
import type { ExecutionQueueModuleOptions } from './config/module-options.js';

/** HTTP routes the module can serve. */
export const HTTP_ROUTE_GROUPS = ['api', 'health', 'metrics', 'dashboard'] as const;
export type HttpRouteGroup = (typeof HTTP_ROUTE_GROUPS)[number];

/** Which of the module's HTTP routes a host mounts, and where. */
export interface ExecutionQueueHttpOptions {
  /**
   * `api`: the REST API (`/api/v1/...`, with the `admin` role); `health`: `/health/live` and
   * `/health/ready`; `metrics`: `/metrics`. None unless listed.
   */
  routes: readonly HttpRouteGroup[];
  /** Path they are mounted under, e.g. `queue-admin` (default: the application's root). */
  prefix?: string;
}

/** The routes of the standalone service: all of them, at the root. */
export const STANDALONE_HTTP: ExecutionQueueHttpOptions = { routes: HTTP_ROUTE_GROUPS };

/** Which parts of the service a module instance runs and which routes it serves. */
export interface ExecutionQueueModuleExtras {
  roles: Role[];
  /**
   * A host's own pod runtime (a class; it may inject EVENT_PUBLISHER and the other tokens), used
   * instead of the simulated or Kubernetes one: it gets every create and delete command.
   */
  customPodRuntime?: Type<PodRuntime>;
  /** Absent: no HTTP routes at all (the host drives the queue through ExecutionQueue). */
  http?: ExecutionQueueHttpOptions;
}

/** Token of the options exactly as the host gave them (resolved into MODULE_OPTIONS_TOKEN). */
export const GIVEN_MODULE_OPTIONS = Symbol('ExecutionQueueModule given options');

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<ExecutionQueueModuleOptions>({
  optionsInjectionToken: GIVEN_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<ExecutionQueueModuleExtras>({ roles: [...ROLES], http: undefined, customPodRuntime: undefined })
  .build();

/** Token of the complete, validated `ExecutionQueueOptions` (defaults filled in). */
export const MODULE_OPTIONS_TOKEN = Symbol('ExecutionQueueOptions');

/** Token of the resolved `ExecutionQueueOptions`, for hosts. */
export const EXECUTION_QUEUE_OPTIONS = MODULE_OPTIONS_TOKEN;
