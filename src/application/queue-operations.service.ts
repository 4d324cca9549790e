import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { eventSourceOf } from '../config/event-source.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { createEvent } from '../contracts/event-factory.js';
import { EventType } from '../contracts/event-type.constants.js';
import { languageRuntimesWith, type LanguageRuntime } from '../contracts/language-runtimes.js';
import { DEFAULT_PRIORITY, type Priority } from '../contracts/priority.constants.js';
import type { Clock } from '../coordinator/domain/clock.js';
import { ExecutionCoordinator } from '../coordinator/execution-coordinator.service.js';
import type { QueueSnapshot, QueueStateStore } from '../coordinator/queue-state-store.port.js';
import { WaitEstimates } from '../coordinator/wait-estimates.service.js';
import { CLOCK, EVENT_PUBLISHER, OPERATOR_CHANGE_LISTENER, QUEUE_STATE_STORE, TRANSPORT_CONSUMPTION } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { PublishTimeoutError } from '../ports/publish-timeout.error.js';
import { isTransient } from '../ports/transient-error.js';
import type { TransportConsumption } from '../ports/transport-consumption.port.js';
import type { OperatorChangeListener } from './operator-changes.port.js';
import { ExecutionNotFoundError, ExecutionNotPendingError, InvalidSubmissionError, QueueUnavailableError, SubmissionUnavailableError, TransportNotStartedError } from './queue-errors.js';
import type {
  ActiveExecutionView,
  CancellationRequestedView,
  ExecutionDetailView,
  PageView,
  PendingExecutionView,
  PendingQuery,
  QueueStatusView,
  ReprioritizedView,
  SubmissionRequest,
  UserDetailView,
  UsersPageView,
  UserWeightView,
} from './queue-views.js';
import { waitingReason } from './waiting-reason.js';

/** Who `execution_cancelled` names when an operator cancels. */
export const OPERATOR_CANCELLER = 'admin';
export const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * The queue's operations, once, for every adapter: the REST API's controllers and the facade a
 * host uses are thin layers over this service. It knows nothing of HTTP: a refusal is one of
 * the typed errors of queue-errors.ts (the REST filter maps them to statuses), and a state store
 * that cannot serve a call is QueueUnavailableError. Input is taken as validated by the adapter.
 */
@Injectable()
export class QueueOperations {
  /** The built-in languages with the images the operator chose (`RUNTIME_IMAGES`). */
  private readonly runtimes: Readonly<Record<string, LanguageRuntime>>;

  constructor(
    @Inject(QUEUE_STATE_STORE) private readonly store: QueueStateStore,
    private readonly coordinator: ExecutionCoordinator,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
    private readonly estimates: WaitEstimates,
    @Optional() @Inject(OPERATOR_CHANGE_LISTENER) private readonly changes?: OperatorChangeListener,
    @Optional() @Inject(TRANSPORT_CONSUMPTION) private readonly consumption?: TransportConsumption,
  ) {
    this.runtimes = languageRuntimesWith(options.runtimeImages ?? []);
  }

  /**
   * Publishes `execution_requested` (runtime fields filled in from the language) and returns the
   * execution id. Resolves once the transport took it; the queue answers with an event.
   */
  async submit(request: SubmissionRequest): Promise<string> {
    if (this.consumption && !this.consumption.ready) throw new TransportNotStartedError();
    const runtime = this.runtimes[request.language];
    if (!runtime && (!request.runtime_image || !request.runtime_command || !request.runtime_filename)) {
      const known = Object.keys(this.runtimes).join(', ');
      throw new InvalidSubmissionError(
        (['runtime_image', 'runtime_command', 'runtime_filename'] as const)
          .filter((field) => !request[field])
          .map((field) => ({ field, problems: [`${field} is required for language '${request.language}'; known languages: ${known}`] })),
      );
    }
    const executionId = request.execution_id ?? randomUUID();
    const event = createEvent(
      EventType.ExecutionRequested,
      {
        execution_id: executionId,
        script: request.script,
        language: request.language,
        language_version: request.language_version,
        runtime_image: request.runtime_image ?? runtime!.image(request.language_version),
        runtime_command: request.runtime_command ?? runtime!.command,
        runtime_filename: request.runtime_filename ?? runtime!.filename,
        timeout_seconds: request.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS,
        cpu_limit: request.cpu_limit ?? '',
        memory_limit: request.memory_limit ?? '',
        cpu_request: request.cpu_request ?? '',
        memory_request: request.memory_request ?? '',
        priority: request.priority ?? DEFAULT_PRIORITY,
      },
      { userId: request.user_id },
      eventSourceOf(this.options),
      new Date(this.clock.now()),
    );
    try {
      await this.publisher.publish(event, { signal: AbortSignal.timeout(this.options.submitTimeoutSeconds * 1000) });
    } catch (error) {
      if (error instanceof PublishTimeoutError) throw submissionUnavailable(executionId, this.options.submitTimeoutSeconds);
      throw error;
    }
    return executionId;
  }

  status(): Promise<QueueStatusView> {
    return storeCall(async () => this.toStatus(await this.store.snapshot()));
  }

  /** Stops dispatching (what runs keeps running; submissions are still queued). */
  async hold(): Promise<QueueStatusView> {
    await storeCall(() => this.coordinator.hold());
    this.changes?.record({ type: 'held', at: new Date(this.clock.now()) });
    return this.status();
  }

  async resume(): Promise<QueueStatusView> {
    await storeCall(() => this.coordinator.resume());
    this.changes?.record({ type: 'resumed', at: new Date(this.clock.now()) });
    return this.status();
  }

  users(offset: number, limit: number): Promise<UsersPageView> {
    return storeCall(async () => {
      const page = await this.store.usersPage(offset, limit);
      const weights = await this.store.userWeights(page.items.map((row) => row.userId));
      return {
        items: page.items.map((row, i) => ({ user_id: row.userId, pending: row.pending, active: row.active, total: row.pending + row.active, weight: weights[i]! })),
        total: page.total,
      };
    });
  }

  user(userId: string): Promise<UserDetailView> {
    return storeCall(async () => {
      const [usage, [weight]] = await Promise.all([this.store.userUsage(userId), this.store.userWeights([userId])]);
      return { user_id: userId, ...usage, total: usage.pending + usage.active, weight: weight!, limit: this.options.queue.maxExecutionsPerUser };
    });
  }

  /** Sets a user's weight under fair order; it applies to that user's next turns. */
  async setUserWeight(userId: string, weight: number): Promise<UserWeightView> {
    await storeCall(() => this.store.setUserWeight(userId, weight));
    this.changes?.record({ type: 'weight_changed', user_id: userId, weight, at: new Date(this.clock.now()) });
    return { user_id: userId, weight };
  }

  active(offset: number, limit: number): Promise<PageView<ActiveExecutionView>> {
    return storeCall(async () => {
      const page = await this.store.activePage(offset, limit);
      return {
        items: page.items.map((execution) => ({ execution_id: execution.executionId, user_id: execution.userId, priority: execution.priority, dispatched_at: iso(execution.dispatchedAt) })),
        total: page.total,
      };
    });
  }

  pending(query: PendingQuery, offset: number, limit: number): Promise<PageView<PendingExecutionView>> {
    return storeCall(async () => {
      const page = await this.store.pendingPage({ priority: query.priority, userId: query.user_id }, offset, limit);
      const now = this.clock.now();
      const waits = await this.estimates.waitsMs(page.items.map((execution) => execution.position));
      return {
        items: page.items.map((execution, i) => ({
          execution_id: execution.executionId,
          user_id: execution.userId,
          priority: execution.priority,
          position: execution.position,
          effective_priority: execution.effectivePriority ?? execution.priority,
          enqueued_at: iso(execution.enqueuedAt),
          age_seconds: ageSeconds(now, execution.enqueuedAt),
          estimated_start_at: startAt(now, waits[i]),
        })),
        total: page.total,
      };
    });
  }

  /** A pending or active execution: its state, position, priorities, estimated start and why it waits. */
  execution(executionId: string): Promise<ExecutionDetailView> {
    return storeCall(async () => {
      const found = await this.store.lookup(executionId);
      if (!found) throw new ExecutionNotFoundError(executionId);
      const { execution } = found;
      const common = { execution_id: executionId, user_id: execution.userId, priority: execution.priority, enqueued_at: iso(execution.enqueuedAt) };
      if (found.state === 'active') {
        return { ...common, state: 'active', dispatched_at: iso(found.execution.dispatchedAt), waiting_reason: null };
      }
      const [snapshot, [wait]] = await Promise.all([this.store.snapshot(), this.estimates.waitsMs([found.position])]);
      return {
        ...common,
        state: 'pending',
        position: found.position,
        effective_priority: found.effectivePriority ?? execution.priority,
        estimated_start_at: startAt(this.clock.now(), wait),
        dispatched_at: null,
        waiting_reason: waitingReason({ held: snapshot.held, position: found.position, activeCount: snapshot.activeCount, maxActive: this.options.queue.maxActiveExecutions }),
      };
    });
  }

  /** Moves a pending execution to another priority; returns its position right after the move. */
  async reprioritize(executionId: string, priority: Priority): Promise<ReprioritizedView> {
    const outcome = await storeCall(() => this.coordinator.reprioritize(executionId, priority));
    if (outcome.kind === 'unknown') throw new ExecutionNotFoundError(executionId);
    if (outcome.kind === 'not_pending') {
      throw new ExecutionNotPendingError(executionId, `Execution ${executionId} is already ${outcome.state}; only pending executions can be reprioritized`);
    }
    this.changes?.record({ type: 'reprioritized', execution_id: executionId, priority: outcome.priority, position: outcome.position, at: new Date(this.clock.now()) });
    return { execution_id: executionId, priority: outcome.priority, position: outcome.position };
  }

  /** Publishes `execution_cancelled`; the coordinator then removes the execution or stops its pod. */
  async cancel(executionId: string): Promise<CancellationRequestedView> {
    const found = await storeCall(() => this.store.lookup(executionId));
    if (!found) throw new ExecutionNotFoundError(executionId);
    const request = found.execution.payload;
    await this.publisher.publish(
      createEvent(
        EventType.ExecutionCancelled,
        { execution_id: executionId, reason: 'cancelled by an operator through the admin API', cancelled_by: OPERATOR_CANCELLER, force_terminated: found.state === 'active' },
        { userId: request.metadata.user_id, environment: request.metadata.environment },
        eventSourceOf(this.options),
        new Date(this.clock.now()),
      ),
    );
    return { execution_id: executionId, state: found.state };
  }

  private toStatus(snapshot: QueueSnapshot): QueueStatusView {
    const { queue } = this.options;
    return {
      queue_depth: snapshot.pendingCount,
      active_count: snapshot.activeCount,
      max_active_executions: queue.maxActiveExecutions,
      max_queue_size: queue.maxQueueSize,
      max_executions_per_user: queue.maxExecutionsPerUser,
      stale_timeout_seconds: queue.staleTimeoutSeconds,
      held: snapshot.held,
      by_priority: snapshot.byPriority,
      oldest_pending_age_seconds: snapshot.oldestEnqueuedAt === null ? null : ageSeconds(this.clock.now(), snapshot.oldestEnqueuedAt),
    };
  }
}

/** A state store that cannot serve a call (Redis away) is QueueUnavailableError; anything else passes through. */
async function storeCall<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isTransient(error)) throw new QueueUnavailableError((error as Error).message, { cause: error });
    throw error;
  }
}

function submissionUnavailable(executionId: string, seconds: number): SubmissionUnavailableError {
  return new SubmissionUnavailableError(
    executionId,
    seconds,
    `The event broker did not take the request within ${seconds} s; it may or may not be queued. Submit again with execution_id ${executionId} (a repeat is recognised as a duplicate).`,
  );
}

function iso(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toISOString();
}

/** When a wait of `waitMs` from `now` ends, as ISO time; null without an estimate. */
function startAt(now: number, waitMs: number | null | undefined): string | null {
  return waitMs === null || waitMs === undefined ? null : iso(now + waitMs);
}

function ageSeconds(now: number, since: number): number {
  return Math.max(0, (now - since) / 1000);
}
