import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { AdminTokenRegistry } from './admin/auth/admin-token.registry.js';
import { BearerTokenGuard } from './admin/auth/bearer-token.guard.js';
import { ExecutionSubmissionService } from './admin/execution-submission.service.js';
import { ExecutionsController } from './admin/executions.controller.js';
import { ExecutionsAdminController } from './admin/executions-admin.controller.js';
import { HealthController } from './admin/health/health.controller.js';
import { HealthIndicatorsLifecycle } from './admin/health/health-indicators.lifecycle.js';
import { StateStoreHealthIndicator } from './admin/health/state-store.health-indicator.js';
import { MetricsController } from './admin/metrics/metrics.controller.js';
import { QueueMetrics } from './admin/metrics/queue-metrics.js';
import { QueueAdminController } from './admin/queue-admin.controller.js';
import { QueueAdminService } from './admin/queue-admin.service.js';
import { UsersAdminController } from './admin/users-admin.controller.js';
import type { ExecutionQueueOptions, Role } from './config/execution-queue.options.js';
import { refuseOrderSwitch } from './coordinator/stores/redis/queue-order.guard.js';
import { eventSourceOf } from './config/event-source.js';
import { WireCodec } from './contracts/wire-codec.js';
import { CoordinatorEventsController } from './coordinator/coordinator-events.controller.js';
import { systemClock } from './coordinator/system-clock.js';
import { ExecutionCoordinator } from './coordinator/execution-coordinator.service.js';
import { WaitEstimates } from './coordinator/wait-estimates.service.js';
import { InMemoryQueueStateStore } from './coordinator/stores/in-memory-queue-state.store.js';
import { RedisQueueStateStore } from './coordinator/stores/redis/redis-queue-state.store.js';
import { CoordinatorHousekeeping } from './coordinator/coordinator-housekeeping.service.js';
import {
  CLOCK,
  COORDINATOR_OBSERVER,
  EVENT_PUBLISHER,
  EXECUTION_LIFECYCLE_LISTENER,
  CHANGE_RELAY,
  GIVEN_CLIENTS,
  HEALTH_INDICATORS,
  IN_MEMORY_BUS,
  KUBE_CONFIG,
  POD_RUNTIME,
  QUEUE_STATE_STORE,
  TRANSPORT_CLIENT,
  WIRE_CODEC,
} from './execution-queue.constants.js';
import {
  type ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  GIVEN_MODULE_OPTIONS,
  HTTP_ROUTE_GROUPS,
  MODULE_OPTIONS_TOKEN,
  type ExecutionQueueHttpOptions,
  type HttpRouteGroup,
  type OPTIONS_TYPE,
} from './execution-queue.module-definition.js';
import { givenClientsOf, resolveModuleOptions, type GivenClients } from './config/module-options.js';
import { ExecutionQueue } from './embedding/execution-queue.facade.js';
import { ExecutionEvents } from './embedding/execution-events.service.js';
import { ExecutionQueueHealth } from './embedding/execution-queue.health.js';
import { AdminStreamController } from './admin/stream/admin-stream.controller.js';
import { AdminStreamService } from './admin/stream/admin-stream.service.js';
import type { ChangeRelay } from './admin/stream/change-relay.port.js';
import { ExecutionStreamController } from './admin/stream/execution-stream.controller.js';
import { ExecutionStreamService } from './admin/stream/execution-stream.service.js';
import { QueueChangeFeed } from './admin/stream/queue-change.feed.js';
import { RedisChangeRelay } from './admin/stream/redis-change-relay.js';
import { SseConnections } from './admin/stream/sse-connections.js';
import { DashboardController } from './admin/dashboard/dashboard.controller.js';
import { Redis } from 'ioredis';
import { secondConnectionTo } from './coordinator/stores/redis/redis-connection.js';
import { DiscoveryModule, RouterModule } from '@nestjs/core';
import { ConfigError } from './config/config.errors.js';
import { ROLES } from './config/execution-queue.options.js';
import { InMemoryBus } from './kafka-transport/in-memory-bus.js';
import { InMemoryClientProxy } from './kafka-transport/in-memory.client-proxy.js';
import { KafkaClientProxy } from './kafka-transport/kafka.client-proxy.js';
import { InMemoryBusHealthIndicator } from './kafka-transport/in-memory-bus.health-indicator.js';
import { KafkaHealthIndicator } from './kafka-transport/kafka.health-indicator.js';
import type { ClientProxy } from '@nestjs/microservices';
import { TransportEventPublisher } from './kafka-transport/transport-event.publisher.js';
import { SimulatedPodRuntime } from './kubernetes-worker/simulated-pod.runtime.js';
import { WorkerEventsController } from './kubernetes-worker/worker-events.controller.js';
import { KubernetesApiHealthIndicator } from './kubernetes-worker/kubernetes/kubernetes-api.health-indicator.js';
import { KubernetesPodRuntime } from './kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import type { PodRuntime } from './ports/pod-runtime.port.js';
import { KubeConfig } from '@kubernetes/client-node';
import type { EventPublisher } from './ports/event-publisher.port.js';
import type { HealthIndicator } from './ports/health-indicator.port.js';
import type { QueueStateStore } from './coordinator/queue-state-store.port.js';

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

const providers: Provider[] = [
  { provide: MODULE_OPTIONS_TOKEN, useFactory: (given: unknown) => resolveModuleOptions(given), inject: [GIVEN_MODULE_OPTIONS] },
  { provide: GIVEN_CLIENTS, useFactory: (given: unknown) => givenClientsOf(given), inject: [GIVEN_MODULE_OPTIONS] },
  { provide: CLOCK, useValue: systemClock },
  {
    provide: WIRE_CODEC,
    useFactory: (options: ExecutionQueueOptions) => new WireCodec(options.kafka.topicPrefix),
    inject: [MODULE_OPTIONS_TOKEN],
  },
  { provide: IN_MEMORY_BUS, useFactory: () => new InMemoryBus() },
  {
    provide: TRANSPORT_CLIENT,
    useFactory: (bus: InMemoryBus, options: ExecutionQueueOptions, clients: GivenClients): ClientProxy =>
      options.transport === 'kafka' ? new KafkaClientProxy(options.kafka, clients.kafkaClient) : new InMemoryClientProxy(bus),
    inject: [IN_MEMORY_BUS, MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS],
  },
  {
    provide: EVENT_PUBLISHER,
    useFactory: (client: ClientProxy, codec: WireCodec) => new TransportEventPublisher(client, codec),
    inject: [TRANSPORT_CLIENT, WIRE_CODEC],
  },
  {
    provide: QUEUE_STATE_STORE,
    useFactory: async (options: ExecutionQueueOptions, clients: GivenClients): Promise<QueueStateStore> => {
      if (options.stateStore !== 'redis') return new InMemoryQueueStateStore(options.queue);
      const store = new RedisQueueStateStore(options.queue, { url: options.redisUrl, keyPrefix: options.redisKeyPrefix, connection: clients.redisClient, waitReplicas: options.redisWaitReplicas });
      await refuseOrderSwitch(store, options);
      return store;
    },
    inject: [MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS],
  },
  {
    provide: KUBE_CONFIG,
    useFactory: (options: ExecutionQueueOptions): KubeConfig | null => {
      if (options.podRuntime !== 'kubernetes') return null;
      // KUBECONFIG, ~/.kube/config, or the in-cluster service account.
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromDefault();
      return kubeConfig;
    },
    inject: [MODULE_OPTIONS_TOKEN],
  },
  {
    provide: POD_RUNTIME,
    useFactory: (publisher: EventPublisher, options: ExecutionQueueOptions, kubeConfig: KubeConfig | null): PodRuntime =>
      kubeConfig
        ? new KubernetesPodRuntime(kubeConfig, publisher, eventSourceOf(options), { namespace: options.k8sNamespace, ...options.kubernetes })
        : new SimulatedPodRuntime(publisher, eventSourceOf(options), options.k8sNamespace, options.simulatedRunMs, options.kubernetes.finishedPodTtlSeconds * 1000),
    inject: [EVENT_PUBLISHER, MODULE_OPTIONS_TOKEN, KUBE_CONFIG],
  },
  {
    provide: COORDINATOR_OBSERVER,
    useFactory: (store: QueueStateStore, options: ExecutionQueueOptions, bus: InMemoryBus, clients: GivenClients, streams: SseConnections) =>
      new QueueMetrics(store, options.transport === 'memory' ? bus : undefined, clients.metricsRegistry, streams),
    inject: [QUEUE_STATE_STORE, MODULE_OPTIONS_TOKEN, IN_MEMORY_BUS, GIVEN_CLIENTS, SseConnections],
  },
  {
    provide: HEALTH_INDICATORS,
    useFactory: (store: QueueStateStore, options: ExecutionQueueOptions, kubeConfig: KubeConfig | null, bus: InMemoryBus, clients: GivenClients): HealthIndicator[] => [
      new StateStoreHealthIndicator(store, options.stateStore),
      options.transport === 'kafka'
        ? new KafkaHealthIndicator(options.kafka, clients.kafkaClient)
        : new InMemoryBusHealthIndicator(bus),
      ...(kubeConfig ? [new KubernetesApiHealthIndicator(kubeConfig, options.k8sNamespace)] : []),
    ],
    inject: [QUEUE_STATE_STORE, MODULE_OPTIONS_TOKEN, KUBE_CONFIG, IN_MEMORY_BUS, GIVEN_CLIENTS],
  },
  HealthIndicatorsLifecycle,
  ExecutionCoordinator,
  WaitEstimates,
  QueueAdminService,
  AdminTokenRegistry,
  BearerTokenGuard,
  ExecutionSubmissionService,
  ExecutionQueue,
  ExecutionEvents,
  ExecutionQueueHealth,
  {
    // With the Redis store every replica shares one Redis: the live streams' frames go through it.
    provide: CHANGE_RELAY,
    useFactory: (options: ExecutionQueueOptions, clients: GivenClients): ChangeRelay | null => {
      if (options.stateStore !== 'redis') return null;
      const connect = () => (clients.redisClient ? secondConnectionTo(clients.redisClient) : new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 }));
      return new RedisChangeRelay(connect(), connect(), options.redisKeyPrefix);
    },
    inject: [MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS],
  },
  QueueChangeFeed,
  SseConnections,
  AdminStreamService,
  ExecutionStreamService,
  { provide: EXECUTION_LIFECYCLE_LISTENER, useExisting: ExecutionEvents },
];

/**
 * The whole service as one Nest module: coordinator, transport, pod worker and admin API.
 * `roles` picks which event handlers and HTTP controllers this instance serves.
 */
@Module({
  providers,
  exports: [ExecutionQueue, ExecutionEvents, ExecutionQueueHealth, ExecutionCoordinator, EVENT_PUBLISHER, QUEUE_STATE_STORE, IN_MEMORY_BUS, WIRE_CODEC, CLOCK, MODULE_OPTIONS_TOKEN],
})
export class ExecutionQueueModule extends ConfigurableModuleClass {
  /** With no options at all, the embedded defaults (those of an empty environment). */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return withControllers(super.forRoot(options), options.roles, options.http, options.customPodRuntime);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withControllers(super.forRootAsync(options), options.roles, options.http, options.customPodRuntime);
  }
}

function withControllers(definition: DynamicModule, roles: Role[] | undefined, http: ExecutionQueueHttpOptions | undefined, customPodRuntime: Type<PodRuntime> | undefined): DynamicModule {
  const problems = extrasProblems(roles, http);
  if (problems.length > 0) throw new ConfigError(problems, 'Invalid ExecutionQueueModule options');
  const selected = roles ?? [...ROLES];
  const routes = new Set(http?.routes ?? []);
  const controllers = [
    ...(routes.has('health') ? CONTROLLERS_BY_ROUTE_GROUP.health : []),
    ...(routes.has('metrics') ? CONTROLLERS_BY_ROUTE_GROUP.metrics : []),
    // The page is useful only where the API it calls is served.
    ...(routes.has('dashboard') && routes.has('api') && selected.includes('admin') ? CONTROLLERS_BY_ROUTE_GROUP.dashboard : []),
    ...(routes.has('api') && selected.includes('admin') ? API_CONTROLLERS : []),
    ...selected.flatMap((role) => HANDLERS_BY_ROLE[role]),
  ];
  const prefix = http?.prefix?.replace(/^\/+|\/+$/g, '');
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule, ...(prefix ? [RouterModule.register([{ path: prefix, module: ExecutionQueueModule }])] : [])],
    controllers,
    // Start-up repair and idle housekeeping belong to processes that run the coordinator.
    providers: [
      ...(definition.providers ?? []),
      ...(selected.includes('coordinator') ? [CoordinatorHousekeeping] : []),
      // A host's own runtime replaces the simulated or Kubernetes one (Nest keeps the last provider of a token).
      ...(customPodRuntime ? [{ provide: POD_RUNTIME, useClass: customPodRuntime }] : []),
    ],
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
