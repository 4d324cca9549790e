// The public surface for hosts: the module, its options, the facade, tokens, event contracts and
// errors. The queue's internals (its data structures, stores and clock) are not exported.
export * from './contracts/index.js';
export * from './config/index.js';
export { ExecutionCoordinator } from './coordinator/execution-coordinator.service.js';
export type { QueueStateStore, StoredRequest } from './coordinator/queue-state-store.port.js';
export type { EventPublisher } from './ports/event-publisher.port.js';
export type { PodRuntime } from './ports/pod-runtime.port.js';
export { ExecutionQueueModule } from './execution-queue.module.js';
export { EXECUTION_QUEUE_OPTIONS, HTTP_ROUTE_GROUPS, STANDALONE_HTTP, type ExecutionQueueHttpOptions, type HttpRouteGroup } from './execution-queue.module-definition.js';
export * from './execution-queue.constants.js';
export { createTransportStrategy } from './transport-strategy.factory.js';
export { configureHttpApp } from './admin/http-app.setup.js';
export { StructuredLogger } from './common/structured-logger.js';
export { ExecutionQueue, type ExecutionSubmission, type PendingQuery } from './embedding/execution-queue.facade.js';
export { InjectExecutionQueue } from './embedding/inject-execution-queue.decorator.js';
export * from './application/queue-errors.js';
export { ExecutionEvents, type ExecutionEventHandler } from './application/execution-events.service.js';
export { ExecutionQueueHealth, type ExecutionQueueHealthResult } from './embedding/execution-queue.health.js';
export type { HealthResult } from './ports/health-indicator.port.js';
export { OnExecutionEvent } from './embedding/on-execution-event.decorator.js';
export * from './coordinator/execution-lifecycle.port.js';
