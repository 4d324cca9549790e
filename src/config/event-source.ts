import type { EventSource } from '../contracts/event-factory.js';
import type { ExecutionQueueOptions } from './execution-queue.options.js';

/** The identity stamped into everything this service publishes. */
export function eventSourceOf(options: ExecutionQueueOptions): EventSource {
  return { serviceName: options.serviceName, serviceVersion: options.serviceVersion, environment: options.environment };
}
