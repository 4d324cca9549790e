import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ErrorType } from '../contracts/error-type.constants.js';
import type {
  ExecutionCancelledEvent,
  ExecutionCompletedEvent,
  ExecutionFailedEvent,
  ExecutionRequestedEvent,
  ExecutionTimeoutEvent,
} from '../contracts/execution.events.js';
import type { Priority } from '../contracts/priority.constants.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { CLOCK, COORDINATOR_OBSERVER, EVENT_PUBLISHER, QUEUE_STATE_STORE } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { CoordinatorEvents } from './coordinator-events.js';
import { NO_OP_OBSERVER, type CoordinatorObserver, type FinishKind } from './coordinator-observer.port.js';
import type { Clock } from './domain/clock.js';
import type { QueuedExecution, ReprioritizeOutcome } from './domain/coordinator-outcomes.js';
import type { QueueSnapshot } from './domain/coordinator-state.js';
import { RejectionMessages } from './domain/rejection-messages.js';
import type { QueueStateStore, StoredRequest } from './queue-state-store.port.js';

export type TerminalEvent = ExecutionCompletedEvent | ExecutionFailedEvent | ExecutionTimeoutEvent;

const FINISH_KINDS: Record<TerminalEvent['event_type'], FinishKind> = {
  execution_completed: 'completed',
  execution_failed: 'failed',
  execution_timeout: 'timeout',
};

/**
 * Binds the queue rules to the outside world: each handler makes one atomic change in the
 * state store, publishes the events its outcome calls for, and then schedules. Scheduling is
 * reactive: it runs after every change and never on a timer.
 */
@Injectable()
export class ExecutionCoordinator {
  private readonly logger = new Logger(ExecutionCoordinator.name);
  private readonly events: CoordinatorEvents;

  constructor(
    @Inject(QUEUE_STATE_STORE) private readonly store: QueueStateStore,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
    @Optional() @Inject(COORDINATOR_OBSERVER) private readonly observer: CoordinatorObserver = NO_OP_OBSERVER,
  ) {
    this.events = new CoordinatorEvents(
      { serviceName: options.serviceName, serviceVersion: options.serviceVersion, environment: options.environment },
      () => new Date(this.clock.now()),
    );
  }

  async handleRequested(request: ExecutionRequestedEvent): Promise<void> {
    const outcome = await this.store.admit(
      { executionId: request.execution_id, userId: request.metadata.user_id!, priority: request.priority, payload: request },
      this.clock.now(),
    );
    switch (outcome.kind) {
      case 'duplicate':
        this.logger.debug(`Ignoring duplicate request for execution ${request.execution_id}`);
        return;
      case 'queue_full':
        await this.reportExpired(outcome.expired);
        this.observer.rejected('queue_full', request.priority);
        await this.publisher.publish(this.events.failed(request, ErrorType.ResourceLimit, RejectionMessages.queueFull(outcome.maxQueueSize)));
        return;
      case 'user_limit':
        this.observer.rejected('user_limit', request.priority);
        await this.publisher.publish(this.events.failed(request, ErrorType.ResourceLimit, RejectionMessages.userLimit(outcome.limit)));
        return;
      case 'accepted':
        await this.reportExpired(outcome.expired);
        this.observer.accepted(request.priority);
        await this.publisher.publish(this.events.accepted(request, outcome.position));
        await this.schedule();
        return;
    }
  }

  async handleCancelled(event: ExecutionCancelledEvent): Promise<void> {
    const outcome = await this.store.release(event.execution_id);
    if (outcome.kind !== 'unknown') this.observer.cancelled();
    if (outcome.kind === 'was_active') {
      await this.publisher.publish(this.events.deletePod(outcome.execution, `cancelled: ${event.reason}`, this.options.k8sNamespace));
    }
    await this.schedule();
  }

  async handleFinished(event: TerminalEvent): Promise<void> {
    const outcome = await this.store.release(event.execution_id);
    if (outcome.kind !== 'unknown') this.observer.finished(FINISH_KINDS[event.event_type]);
    await this.schedule();
  }

  /** Dispatches pending executions while slots are free and the queue is not held. */
  async schedule(): Promise<void> {
    for (;;) {
      const outcome = await this.store.dispatchNext(this.clock.now(), randomUUID());
      if (outcome.kind === 'idle') return;
      if (outcome.kind === 'expired') {
        await this.reportExpired([outcome.execution]);
        continue;
      }
      const request = outcome.execution.payload;
      try {
        await this.publisher.publish(this.events.createPod(request, outcome.execution.sagaId));
        this.observer.dispatched(request.priority, (outcome.execution.dispatchedAt - outcome.execution.enqueuedAt) / 1000);
      } catch (error) {
        this.observer.rejected('dispatch_failed', request.priority);
        this.logger.error(`Dispatch of ${request.execution_id} failed; releasing its slot: ${(error as Error).message}`);
        await this.store.release(request.execution_id);
        await this.publisher.publish(
          this.events.failed(request, ErrorType.SystemError, RejectionMessages.dispatchFailed((error as Error).message)),
        );
      }
    }
  }

  async reprioritize(executionId: string, priority: Priority): Promise<ReprioritizeOutcome> {
    const outcome = await this.store.reprioritize(executionId, priority);
    // Moving an execution up can make it next; dispatch happens only when a slot is free.
    if (outcome.kind === 'moved') await this.schedule();
    return outcome;
  }

  async hold(): Promise<void> {
    await this.store.setHeld(true);
  }

  async resume(): Promise<void> {
    await this.store.setHeld(false);
    await this.schedule();
  }

  status(): Promise<QueueSnapshot> {
    return this.store.snapshot();
  }

  private async reportExpired(expired: QueuedExecution<StoredRequest>[]): Promise<void> {
    for (const execution of expired) {
      this.observer.rejected('expired', execution.priority);
      await this.publisher.publish(
        this.events.failed(execution.payload, ErrorType.Timeout, RejectionMessages.expiredInQueue(this.options.queue.staleTimeoutSeconds)),
      );
    }
  }
}
