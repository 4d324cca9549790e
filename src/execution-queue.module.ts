import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { AdminTokenRegistry } from './admin/auth/admin-token.registry.js';
import { BearerTokenGuard } from './admin/auth/bearer-token.guard.js';
import { DashboardController } from './admin/dashboard/dashboard.controller.js';
import { ExecutionsAdminController } from './admin/executions-admin.controller.js';
import { ExecutionsController } from './admin/executions.controller.js';
import { HealthIndicatorsLifecycle } from './admin/health/health-indicators.lifecycle.js';
import { HealthController } from './admin/health/health.controller.js';
import { MetricsController } from './admin/metrics/metrics.controller.js';
import { QueueAdminController } from './admin/queue-admin.controller.js';
import { AdminStreamController } from './admin/stream/admin-stream.controller.js';
import { ExecutionStreamController } from './admin/stream/execution-stream.controller.js';
import { UsersAdminController } from './admin/users-admin.controller.js';
import { ConfigError } from './config/config.errors.js';
import { ROLES, type Role } from './config/execution-queue.options.js';
import { CoordinatorEventsController } from './coordinator/coordinator-events.controller.js';
import { ExecutionQueueHealth } from './embedding/execution-queue.health.js';
import { HEALTH_INDICATORS, KUBERNETES_HEALTH_INDICATOR, STATE_STORE_HEALTH_INDICATOR, TRANSPORT_HEALTH_INDICATOR } from './execution-queue.constants.js';
import {
  type ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  HTTP_ROUTE_GROUPS,
  type ExecutionQueueHttpOptions,
  type HttpRouteGroup,
  type OPTIONS_TYPE,
} from './execution-queue.module-definition.js';
import { WorkerEventsController } from './kubernetes-worker/worker-events.controller.js';
import type { HealthIndicator } from './ports/health-indicator.port.js';
import type { PodRuntime } from './ports/pod-runtime.port.js';
import { AdminRoleModule } from './roles/admin-role.module.js';
import { CoordinatorRoleModule } from './roles/coordinator-role.module.js';
import { coreModule } from './roles/core.module.js';
import { QueueModule } from './roles/queue.module.js';
import { WorkerRoleModule } from './roles/worker-role.module.js';

/** Event handlers of each role (transport, not HTTP). */
const HANDLERS_BY_ROLE: Record<Role, Type[]> = {
  coordinator: [CoordinatorEventsController],
  worker: [WorkerEventsController],
  admin: [],
};

/** The REST API's controllers, served with the `api` routes by a process with the `admin` role. */
const API_CONTROLLERS: Type[] = [ExecutionsController, QueueAdminController, UsersAdminController, ExecutionsAdminController, AdminStreamController, ExecutionStreamController];

/** Probes and metrics, when asked for, whatever the roles, so every process can be watched. */
const CONTROLLERS_BY_ROUTE_GROUP: Record<Exclude<HttpRouteGroup, 'api'>, Type[]> = { health: [HealthController], metrics: [MetricsController], dashboard: [DashboardController] };

/** The health checks of what this process uses: the transport always, the others with their roles. */
const HEALTH_PROVIDERS: Provider[] = [
  {
    provide: HEALTH_INDICATORS,
    useFactory: (...indicators: (HealthIndicator | null | undefined)[]): HealthIndicator[] => indicators.filter((indicator): indicator is HealthIndicator => Boolean(indicator)),
    inject: [
      { token: STATE_STORE_HEALTH_INDICATOR, optional: true },
      TRANSPORT_HEALTH_INDICATOR,
      { token: KUBERNETES_HEALTH_INDICATOR, optional: true },
    ],
  },
  HealthIndicatorsLifecycle,
  ExecutionQueueHealth,
];

/**
 * The whole service as one Nest module. It composes a module per role, each building only what
 * that role needs (roles/): the coordinator and the admin API share the queue's state and
 * services; the worker has the pod runtime and never opens the state store. `roles` picks the
 * role modules and which event handlers and HTTP controllers this instance serves.
 */
@Module({})
export class ExecutionQueueModule extends ConfigurableModuleClass {
  /** With no options at all, the embedded defaults (those of an empty environment). */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return composed(super.forRoot(options), options.roles, options.http, options.customPodRuntime);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return composed(super.forRootAsync(options), options.roles, options.http, options.customPodRuntime);
  }
}

function composed(definition: DynamicModule, roles: Role[] | undefined, http: ExecutionQueueHttpOptions | undefined, customPodRuntime: Type<PodRuntime> | undefined): DynamicModule {
  const problems = extrasProblems(roles, http);
  if (problems.length > 0) throw new ConfigError(problems, 'Invalid ExecutionQueueModule options');
  const selected = roles ?? [...ROLES];
  const routes = new Set(http?.routes ?? []);
  const usesQueue = selected.includes('coordinator') || selected.includes('admin');
  const servesApi = routes.has('api') && selected.includes('admin');
  const roleModules = [
    ...(selected.includes('coordinator') ? [CoordinatorRoleModule] : []),
    ...(selected.includes('admin') ? [AdminRoleModule] : []),
    ...(selected.includes('worker') ? [WorkerRoleModule.with(customPodRuntime)] : []),
  ];
  const controllers = [
    ...(routes.has('health') ? CONTROLLERS_BY_ROUTE_GROUP.health : []),
    ...(routes.has('metrics') ? CONTROLLERS_BY_ROUTE_GROUP.metrics : []),
    // The page is useful only where the API it calls is served.
    ...(routes.has('dashboard') && servesApi ? CONTROLLERS_BY_ROUTE_GROUP.dashboard : []),
    ...(servesApi ? API_CONTROLLERS : []),
    ...selected.flatMap((role) => HANDLERS_BY_ROLE[role]),
  ];
  const prefix = http?.prefix?.replace(/^\/+|\/+$/g, '');
  const core = coreModule(definition, selected.includes('coordinator'));
  return {
    module: ExecutionQueueModule,
    imports: [core, ...(usesQueue ? [QueueModule] : []), ...roleModules, ...(prefix ? [RouterModule.register([{ path: prefix, module: ExecutionQueueModule }])] : [])],
    controllers,
    // The API's tokens (one generated and logged when none is configured) only where it is served.
    providers: [...HEALTH_PROVIDERS, ...(servesApi ? [AdminTokenRegistry, BearerTokenGuard] : [])],
    // The facade, the coordinator and the store where this process has them; the core's tokens are global.
    exports: [core, ExecutionQueueHealth, ...(usesQueue ? [QueueModule] : [])],
  };
}

function extrasProblems(roles: Role[] | undefined, http: ExecutionQueueHttpOptions | undefined): string[] {
  const problems: string[] = [];
  const unknownRoles = (roles ?? []).filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknownRoles.length > 0 || roles?.length === 0) problems.push(`roles: expected a non-empty subset of ${ROLES.join(', ')}, got [${(roles ?? []).join(', ')}]`);
  if (http !== undefined) {
    const unknownRoutes = (http.routes ?? []).filter((group) => !(HTTP_ROUTE_GROUPS as readonly string[]).includes(group));
    if (!Array.isArray(http.routes) || unknownRoutes.length > 0) problems.push(`http.routes: expected a subset of ${HTTP_ROUTE_GROUPS.join(', ')}, got ${JSON.stringify(http.routes)}`);
    if (http.prefix !== undefined && !/^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/.test(http.prefix)) problems.push(`http.prefix: expected a path such as 'queue-admin', got '${http.prefix}'`);
  }
  return problems;
}
