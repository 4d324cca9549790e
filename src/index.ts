// The library's public surface: what a host platform needs to embed the queue, and nothing of
// its internals. etc/execution-queue.api.md records it; `npm run lint` fails when it changes
// without that report being updated (`npm run api:report`), so every change is a visible diff.

// The module, its options and how a host starts it.
export { ExecutionQueueModule } from './execution-queue.module.js';
export {
  EXECUTION_QUEUE_OPTIONS,
  HTTP_ROUTE_GROUPS,
  STANDALONE_HTTP,
  type ExecutionQueueHttpOptions,
  type ExecutionQueueModuleExtras,
  type HttpRouteGroup,
} from './execution-queue.module-definition.js';
export type { ExecutionQueueModuleOptions, GivenClients } from './config/module-options.js';
export { ROLES, type ExecutionQueueOptions, type Role } from './config/execution-queue.options.js';
export { ConfigError } from './config/config.errors.js';
export { createTransportStrategy } from './transport-strategy.factory.js';
export { configureHttpApp } from './admin/http-app.setup.js';

// Driving the queue from host code: the facade, its answers and its refusals.
export { ExecutionQueue, type ExecutionSubmission, type PendingQuery } from './embedding/execution-queue.facade.js';
export { InjectExecutionQueue } from './embedding/inject-execution-queue.decorator.js';
export type * from './application/queue-views.js';
export * from './application/queue-errors.js';

// Hooks on each execution's lifecycle.
export { ExecutionEvents, type ExecutionEventHandler } from './application/execution-events.service.js';
export { OnExecutionEvent } from './embedding/on-execution-event.decorator.js';
export { EXECUTION_LIFECYCLE_EVENT_TYPES, type ExecutionLifecycleEvent, type ExecutionLifecycleEventType, type ExecutionOutcome } from './coordinator/execution-lifecycle.port.js';

// Health, for a host's own readiness check.
export { ExecutionQueueHealth, type ExecutionQueueHealthResult } from './embedding/execution-queue.health.js';
export type { HealthResult } from './ports/health-indicator.port.js';

// Ports a host implements or injects: its own pod runtime publishes through EVENT_PUBLISHER.
export type { PodRuntime } from './ports/pod-runtime.port.js';
export type { EventPublisher, PublishOptions } from './ports/event-publisher.port.js';
export { EVENT_PUBLISHER } from './execution-queue.constants.js';

// The wire's events, for a runtime or a consumer of the platform's topics.
export * from './contracts/event-type.constants.js';
export * from './contracts/error-type.constants.js';
export * from './contracts/priority.constants.js';
export * from './contracts/base.event.js';
export * from './contracts/execution-request.fields.js';
export * from './contracts/execution.events.js';
export * from './contracts/pod.events.js';
export * from './contracts/resource-usage.js';
export { createEvent, type EventBody, type EventOrigin, type EventSource } from './contracts/event-factory.js';
export type { AnyEvent, EventTypeMap } from './contracts/event-registry.js';
