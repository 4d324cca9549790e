import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RethrowRpcFilter } from '../common/rethrow-rpc.filter.js';
import { EventType } from '../contracts/event-type.constants.js';
import {
  ExecutionCancelledEvent,
  ExecutionCompletedEvent,
  ExecutionFailedEvent,
  ExecutionRequestedEvent,
  ExecutionTimeoutEvent,
} from '../contracts/execution.events.js';
import { PodCreatedEvent, PodRunningEvent, PodScheduledEvent } from '../contracts/pod.events.js';
import { ExecutionCoordinator } from './execution-coordinator.service.js';

/** Binds each topic the coordinator consumes to its handler. */
@Controller()
@UseFilters(RethrowRpcFilter)
export class CoordinatorEventsController {
  constructor(private readonly coordinator: ExecutionCoordinator) {}

  @EventPattern(EventType.ExecutionRequested)
  requested(@Payload() event: ExecutionRequestedEvent): Promise<void> {
    return this.coordinator.handleRequested(event);
  }

  @EventPattern(EventType.ExecutionCancelled)
  cancelled(@Payload() event: ExecutionCancelledEvent): Promise<void> {
    return this.coordinator.handleCancelled(event);
  }

  @EventPattern(EventType.ExecutionCompleted)
  completed(@Payload() event: ExecutionCompletedEvent): Promise<void> {
    return this.coordinator.handleFinished(event);
  }

  @EventPattern(EventType.ExecutionFailed)
  failed(@Payload() event: ExecutionFailedEvent): Promise<void> {
    return this.coordinator.handleFinished(event);
  }

  @EventPattern(EventType.ExecutionTimeout)
  timedOut(@Payload() event: ExecutionTimeoutEvent): Promise<void> {
    return this.coordinator.handleFinished(event);
  }

  @EventPattern(EventType.PodCreated)
  podCreated(@Payload() event: PodCreatedEvent): Promise<void> {
    return this.coordinator.handleSignOfLife(event.execution_id);
  }

  @EventPattern(EventType.PodScheduled)
  podScheduled(@Payload() event: PodScheduledEvent): Promise<void> {
    return this.coordinator.handleSignOfLife(event.execution_id);
  }

  @EventPattern(EventType.PodRunning)
  podRunning(@Payload() event: PodRunningEvent): Promise<void> {
    return this.coordinator.handleStarted(event.execution_id);
  }
}
