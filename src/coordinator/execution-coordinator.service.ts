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
import { eventSourceOf } from '../config/event-source.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { CLOCK, COORDINATOR_OBSERVER, EVENT_PUBLISHER, EXECUTION_LIFECYCLE_LISTENER, QUEUE_STATE_STORE } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { CoordinatorEvents, originOf } from './coordinator-events.js';
import { NO_OP_OBSERVER, type CoordinatorObserver, type FinishKind } from './coordinator-observer.port.js';
import type { ExecutionLifecycleEvent, ExecutionLifecycleListener } from './execution-lifecycle.port.js';
import type { Clock } from './domain/clock.js';
import type {
  ActiveExecution,
  AdmissionRefusal,
  DispatchStep,
  QueuedExecution,
  ReprioritizeOutcome,
  ScheduleResult,
} from './domain/coordinator-outcomes.js';
import type { AnyEvent } from '../contracts/event-registry.js';
import type { QueueSnapshot } from './domain/coordinator-state.js';
import { RejectionMessages } from './domain/rejection-messages.js';
import type { QueueStateStore, StoredRequest } from './queue-state-store.port.js';
import { WaitEstimates } from './wait-estimates.service.js';

export type TerminalEvent = ExecutionCompletedEvent | ExecutionFailedEvent | ExecutionTimeoutEvent;

/** An event to publish, and the dispatch it carries out if it is a `create_pod_command`. */
interface Outgoing {
  event: AnyEvent;
  dispatch?: ActiveExecution<StoredRequest>;
  /** Told to the lifecycle listener once the event is published. */
  notice?: ExecutionLifecycleEvent;
}

/**
 * Saga ids handed to one scheduling run. One event usually frees at most one slot, so a few
 * suffice; a run that needs more (a resume, a reclaimed batch) is simply run again.
 */
const SAGAS_PER_RUN = 2;

/** Largest number of events published in one send; a resume with many slots free sends in chunks. */
const MAX_EVENTS_PER_SEND = 500;

const FINISH_KINDS: Record<TerminalEvent['event_type'], FinishKind> = {
  execution_completed: 'completed',
  execution_failed: 'failed',
  execution_timeout: 'timeout',
};

/**
 * Binds the queue rules to the outside world: each handler makes one atomic change in the
 * state store, publishes the events its outcome calls for, and then schedules. Scheduling is
 * reactive: it runs after every change; the only timer is the idle housekeeping run
 * (CoordinatorHousekeeping, QUEUE_HOUSEKEEPING_SECONDS), which repairs a quiet system.
 *
 * Every scheduling step also repairs what a crash or a lost event left behind (expired leases,
 * unconfirmed dispatches), so that repair costs nothing extra while events flow
 * (see CoordinatorHousekeeping for the idle case).
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
    @Optional() private readonly estimates?: WaitEstimates,
    @Optional() @Inject(EXECUTION_LIFECYCLE_LISTENER) private readonly lifecycle?: ExecutionLifecycleListener,
  ) {
    this.events = new CoordinatorEvents(eventSourceOf(options), () => new Date(this.clock.now()));
  }

  async handleRequested(request: ExecutionRequestedEvent): Promise<void> {
    const outcome = await this.store.admit(
      { executionId: request.execution_id, userId: request.metadata.user_id!, priority: request.priority, payload: request },
      this.clock.now(),
      // An admission schedules only when nothing else waits, so it dispatches at most the
      // request itself: one saga id (a second would travel to the store unused).
      this.sagaIds(1),
    );
    const outgoing: Outgoing[] = [];
    switch (outcome.kind) {
      case 'duplicate':
        // The first answer may have been lost with a replica that crashed before sending it;
        // repeating it is harmless (consumers already see redeliveries) and loses nothing.
        if (outcome.state === 'pending') outgoing.push({ event: this.events.accepted({ ...request, priority: outcome.priority }, outcome.position, await this.estimateWait(request, outcome.position, false)) });
        else if (outcome.state === 'active') outgoing.push({ event: this.events.accepted(request, 0) });
        else if (outcome.state === 'refused') outgoing.push({ event: this.refusal(request, outcome.refusal) });
        else this.logger.debug(`Ignoring duplicate request for execution ${request.execution_id} (${outcome.state})`);
        break;
      case 'queue_full':
        this.addExpired(outcome.expired, outgoing);
        this.observer.rejected('queue_full', request.priority);
        outgoing.push({ event: this.refusal(request, 'queue_full'), notice: this.rejectedNotice(request, 'queue_full') });
        break;
      case 'user_limit':
        this.addExpired(outcome.expired, outgoing);
        this.observer.rejected('user_limit', request.priority);
        outgoing.push({ event: this.refusal(request, 'user_limit'), notice: this.rejectedNotice(request, 'user_limit') });
        break;
      case 'accepted': {
        this.addExpired(outcome.expired, outgoing);
        this.observer.accepted(request.priority);
        const estimatedWait = await this.estimateWait(request, outcome.position, outcome.passable);
        outgoing.push({
          event: this.events.accepted(request, outcome.position, estimatedWait),
          notice: {
            type: 'accepted',
            execution_id: request.execution_id,
            user_id: request.metadata.user_id,
            priority: request.priority,
            position: outcome.position,
            estimated_wait_seconds: estimatedWait === null ? null : Math.round(estimatedWait / 100) / 10,
            at: this.now(),
          },
        });
        break;
      }
    }
    if (outcome.kind === 'accepted') await this.addScheduled(outcome.scheduled, outgoing);
    await this.send(outgoing);
  }

  /**
   * The wait estimate announced with an acceptance, remembered to be measured when the execution
   * starts. A repeated announcement (duplicate) does not know whether the execution can be
   * passed and gives the position-based estimate.
   */
  private async estimateWait(request: ExecutionRequestedEvent, position: number, passable: boolean): Promise<number | null> {
    return this.estimates ? this.estimates.announce(request.execution_id, position, passable) : null;
  }

  private refusal(request: ExecutionRequestedEvent, refusal: AdmissionRefusal): ExecutionFailedEvent {
    const { maxQueueSize, maxExecutionsPerUser } = this.options.queue;
    const message = refusal === 'queue_full' ? RejectionMessages.queueFull(maxQueueSize) : RejectionMessages.userLimit(maxExecutionsPerUser);
    return this.events.failed(request, ErrorType.ResourceLimit, message);
  }

  /** Pod created, scheduled or running: the execution is alive, so its lease starts over. */
  async handleSignOfLife(executionId: string): Promise<void> {
    await this.store.renewLease(executionId, this.clock.now());
  }

  /** The pod runs the script: a sign of life, and the execution's start for lifecycle listeners. */
  async handleStarted(executionId: string): Promise<void> {
    await this.handleSignOfLife(executionId);
    this.tell({ type: 'started', execution_id: executionId, at: this.now() });
  }

  async handleCancelled(event: ExecutionCancelledEvent): Promise<void> {
    // A release answers with a summary; the pod's delete command speaks for the request, so
    // read it first (cancellations are rare; finishing, the common release, needs no request).
    const known = await this.store.lookup(event.execution_id);
    const outcome = await this.store.release(event.execution_id, this.clock.now(), this.sagaIds());
    if (outcome.kind !== 'unknown') {
      this.observer.cancelled();
      this.tell({ type: 'cancelled', execution_id: event.execution_id, at: this.now() });
    }
    this.estimates?.forget(event.execution_id);
    const outgoing: Outgoing[] = [];
    if (outcome.kind === 'was_active') {
      const origin = known ? originOf(known.execution.payload) : { userId: outcome.execution.userId };
      outgoing.push({ event: this.events.deletePod(outcome.execution, origin, `cancelled: ${event.reason}`, this.options.k8sNamespace) });
    }
    await this.addScheduled(outcome.scheduled, outgoing);
    await this.send(outgoing);
  }

  async handleFinished(event: TerminalEvent): Promise<void> {
    const outcome = await this.store.release(event.execution_id, this.clock.now(), this.sagaIds());
    if (outcome.kind !== 'unknown') {
      this.observer.finished(FINISH_KINDS[event.event_type]);
      this.tell({ type: 'finished', execution_id: event.execution_id, outcome: FINISH_KINDS[event.event_type], at: this.now() });
    }
    if (outcome.kind === 'was_active') this.estimates?.finished(event.execution_id);
    const outgoing: Outgoing[] = [];
    await this.addScheduled(outcome.scheduled, outgoing);
    await this.send(outgoing);
  }

  /** Dispatches pending executions while slots are free and the queue is not held. */
  async schedule(): Promise<void> {
    const outgoing: Outgoing[] = [];
    await this.addScheduled(undefined, outgoing);
    await this.send(outgoing);
  }

  async reprioritize(executionId: string, priority: Priority): Promise<ReprioritizeOutcome> {
    const outcome = await this.store.reprioritize(executionId, priority, this.clock.now());
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

  /**
   * Adds the commands (or drops and reclaims) of a scheduling run to `outgoing`, running the
   * scheduler again while the last run stopped early (out of saga ids). `first` is the run the
   * store already did together with the state change, if any.
   */
  private async addScheduled(first: ScheduleResult<StoredRequest> | undefined, outgoing: Outgoing[]): Promise<void> {
    let result = first ?? (await this.store.schedule(this.clock.now(), this.sagaIds()));
    for (;;) {
      for (const step of result.steps) this.addStep(step, outgoing);
      if (result.idle !== null) return;
      if (outgoing.length >= MAX_EVENTS_PER_SEND) await this.send(outgoing.splice(0));
      result = await this.store.schedule(this.clock.now(), this.sagaIds());
    }
  }

  private addStep(step: DispatchStep<StoredRequest>, outgoing: Outgoing[]): void {
    switch (step.kind) {
      case 'expired':
        this.addExpired([step.execution], outgoing);
        break;
      case 'lease_expired':
        this.addLost(step.execution, outgoing);
        break;
      case 'redispatch':
        this.logger.warn(`Dispatch of ${step.execution.executionId} was never confirmed; publishing its command again`);
        outgoing.push({ event: this.events.createPod(step.execution), dispatch: step.execution });
        break;
      case 'dispatched': {
        const { execution } = step;
        outgoing.push({
          event: this.events.createPod(execution),
          dispatch: execution,
          notice: {
            type: 'dispatched',
            execution_id: execution.executionId,
            user_id: execution.userId,
            priority: execution.priority,
            waited_seconds: (execution.dispatchedAt - execution.enqueuedAt) / 1000,
            at: this.now(),
          },
        });
        break;
      }
    }
  }

  /** Fresh saga ids for one scheduling run: one per dispatch it may make. */
  private sagaIds(most = SAGAS_PER_RUN): string[] {
    const ids: string[] = [];
    for (let count = Math.min(most, this.options.queue.maxActiveExecutions); count > 0; count--) ids.push(randomUUID());
    return ids;
  }

  /** The slot is already free; the pod, if one exists, is stopped and the user told. */
  private addLost(execution: ActiveExecution<StoredRequest>, outgoing: Outgoing[]): void {
    this.observer.finished('lease_expired');
    this.estimates?.forget(execution.executionId);
    this.logger.error(`Execution ${execution.executionId} lost its lease; reclaiming its slot and reporting it failed`);
    outgoing.push({ event: this.events.deletePod(execution, originOf(execution.payload), 'lease expired', this.options.k8sNamespace) });
    outgoing.push({
      event: this.events.failed(execution.payload, ErrorType.SystemError, RejectionMessages.leaseExpired(this.options.queue.leaseSeconds)),
      notice: { type: 'finished', execution_id: execution.executionId, outcome: 'lease_expired', at: this.now() },
    });
  }

  private addExpired(expired: QueuedExecution<StoredRequest>[], outgoing: Outgoing[]): void {
    for (const execution of expired) {
      this.observer.rejected('expired', execution.priority);
      this.estimates?.forget(execution.executionId);
      outgoing.push({
        event: this.events.failed(execution.payload, ErrorType.Timeout, RejectionMessages.expiredInQueue(this.options.queue.staleTimeoutSeconds)),
        notice: { type: 'expired', execution_id: execution.executionId, user_id: execution.userId, priority: execution.priority, at: this.now() },
      });
    }
  }

  /**
   * Publishes what one state change produced in a single send (one broker round trip). If that
   * fails, the events go one by one, so that only a dispatch whose command really could not be
   * published has its slot released and is reported as failed.
   */
  private async send(outgoing: Outgoing[]): Promise<void> {
    if (outgoing.length === 0) return;
    await this.confirm(await this.publish(outgoing));
  }

  /** Publishes `outgoing` (see send) and returns what was published. */
  private async publish(outgoing: Outgoing[]): Promise<Outgoing[]> {
    try {
      await this.publisher.publishAll(outgoing.map((item) => item.event));
      for (const item of outgoing) this.observeDispatch(item);
      return outgoing;
    } catch (error) {
      this.logger.warn(`Publishing ${outgoing.length} events together failed; publishing them one by one: ${(error as Error).message}`);
    }
    const published: Outgoing[] = [];
    for (const item of outgoing) {
      try {
        await this.publisher.publish(item.event);
        this.observeDispatch(item);
        published.push(item);
      } catch (error) {
        if (!item.dispatch) throw error;
        await this.failDispatch(item.dispatch, error as Error);
      }
    }
    return published;
  }

  /**
   * Marks the dispatches among `sent` as published, so no later step hands them out again. A
   * failure here is only logged: the commands are out, and the pod's first sign of life confirms
   * the dispatch as well; failing both, the dispatch is published again after the grace period
   * under the same event id, which the runtime ignores while the pod exists. Failing the event
   * instead would have it handled again for nothing.
   */
  private async confirm(sent: Outgoing[]): Promise<void> {
    const ids = sent.flatMap((item) => (item.dispatch ? [item.dispatch.executionId] : []));
    if (ids.length === 0) return;
    await this.publisher.afterSent(async () => {
      try {
        await this.store.confirmDispatched(ids);
      } catch (error) {
        this.logger.warn(`Could not record ${ids.length} dispatches as published; their pods' signs of life will: ${(error as Error).message}`);
      }
    });
  }

  private observeDispatch({ dispatch, notice }: Outgoing): void {
    if (notice) this.tell(notice);
    if (!dispatch) return;
    this.observer.dispatched(dispatch.priority, (dispatch.dispatchedAt - dispatch.enqueuedAt) / 1000);
    this.estimates?.dispatched(dispatch);
  }

  private async failDispatch(dispatch: ActiveExecution<StoredRequest>, error: Error): Promise<void> {
    this.observer.rejected('dispatch_failed', dispatch.priority);
    this.logger.error(`Dispatch of ${dispatch.executionId} failed; releasing its slot: ${error.message}`);
    await this.store.release(dispatch.executionId);
    await this.publisher.publish(this.events.failed(dispatch.payload, ErrorType.SystemError, RejectionMessages.dispatchFailed(error.message)));
    this.tell({ type: 'finished', execution_id: dispatch.executionId, outcome: 'dispatch_failed', at: this.now() });
  }

  private rejectedNotice(request: ExecutionRequestedEvent, reason: AdmissionRefusal): ExecutionLifecycleEvent {
    return { type: 'rejected', execution_id: request.execution_id, user_id: request.metadata.user_id, priority: request.priority, reason, at: this.now() };
  }

  /** Tells the lifecycle listener; it must not throw, and a failing one never breaks the queue. */
  private tell(event: ExecutionLifecycleEvent): void {
    if (!this.lifecycle) return;
    try {
      this.lifecycle.notify(event);
    } catch (error) {
      this.logger.error(`A lifecycle listener failed on ${event.type} of ${event.execution_id}: ${(error as Error).message}`);
    }
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
