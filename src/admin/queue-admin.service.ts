import { ConflictException, Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { eventSourceOf } from '../config/event-source.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { createEvent } from '../contracts/event-factory.js';
import { EventType } from '../contracts/event-type.constants.js';
import type { Priority } from '../contracts/priority.constants.js';
import type { Clock } from '../coordinator/domain/clock.js';
import type { QueueSnapshot } from '../coordinator/domain/coordinator-state.js';
import { ExecutionCoordinator } from '../coordinator/execution-coordinator.service.js';
import { WaitEstimates } from '../coordinator/wait-estimates.service.js';
import type { QueueStateStore } from '../coordinator/queue-state-store.port.js';
import { CLOCK, EVENT_PUBLISHER, QUEUE_STATE_STORE } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type {
  ActivePageDto,
  CancellationRequestedDto,
  ExecutionDetailDto,
  PendingPageDto,
  ReprioritizedDto,
  UserDetailDto,
  UsersPageDto,
  UserWeightDto,
} from './dto/admin-responses.dto.js';
import type { QueueStatusDto } from './dto/queue-status.dto.js';
import { QueueChangeFeed } from './stream/queue-change.feed.js';
import { waitingReason } from './waiting-reason.js';

/** Who `execution_cancelled` names when an operator cancels through the API. */
export const ADMIN_CANCELLER = 'admin';

/** Reads for operators, shaped for the REST API, and the commands they may give. */
@Injectable()
export class QueueAdminService {
  constructor(
    @Inject(QUEUE_STATE_STORE) private readonly store: QueueStateStore,
    private readonly coordinator: ExecutionCoordinator,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
    private readonly estimates: WaitEstimates,
    @Optional() private readonly changes?: QueueChangeFeed,
  ) {}

  async status(): Promise<QueueStatusDto> {
    return this.toStatus(await this.store.snapshot());
  }

  async hold(): Promise<QueueStatusDto> {
    await this.coordinator.hold();
    this.changes?.record({ type: 'held', at: new Date(this.clock.now()) });
    return this.status();
  }

  async resume(): Promise<QueueStatusDto> {
    await this.coordinator.resume();
    this.changes?.record({ type: 'resumed', at: new Date(this.clock.now()) });
    return this.status();
  }

  async users(offset: number, limit: number): Promise<UsersPageDto> {
    const page = await this.store.usersPage(offset, limit);
    const weights = await this.store.userWeights(page.items.map((row) => row.userId));
    return {
      items: page.items.map((row, i) => ({ user_id: row.userId, pending: row.pending, active: row.active, total: row.pending + row.active, weight: weights[i]! })),
      total: page.total,
    };
  }

  async user(userId: string): Promise<UserDetailDto> {
    const [usage, [weight]] = await Promise.all([this.store.userUsage(userId), this.store.userWeights([userId])]);
    return { user_id: userId, ...usage, total: usage.pending + usage.active, weight: weight!, limit: this.options.queue.maxExecutionsPerUser };
  }

  /** Sets a user's weight under fair order; it applies to that user's next turns. */
  async setUserWeight(userId: string, weight: number): Promise<UserWeightDto> {
    await this.store.setUserWeight(userId, weight);
    this.changes?.record({ type: 'weight_changed', userId, weight, at: new Date(this.clock.now()) });
    return { user_id: userId, weight };
  }

  async active(offset: number, limit: number): Promise<ActivePageDto> {
    const page = await this.store.activePage(offset, limit);
    return {
      items: page.items.map((execution) => ({
        execution_id: execution.executionId,
        user_id: execution.userId,
        priority: execution.priority,
        dispatched_at: iso(execution.dispatchedAt),
      })),
      total: page.total,
    };
  }

  async pending(filter: { priority?: Priority; userId?: string }, offset: number, limit: number): Promise<PendingPageDto> {
    const page = await this.store.pendingPage(filter, offset, limit);
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
  }

  async execution(executionId: string): Promise<ExecutionDetailDto> {
    const found = await this.store.lookup(executionId);
    if (!found) throw notFound(executionId);
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
      waiting_reason: waitingReason({
        held: snapshot.held,
        position: found.position,
        activeCount: snapshot.activeCount,
        maxActive: this.options.queue.maxActiveExecutions,
      }),
    };
  }

  async reprioritize(executionId: string, priority: Priority): Promise<ReprioritizedDto> {
    const outcome = await this.coordinator.reprioritize(executionId, priority);
    if (outcome.kind === 'unknown') throw notFound(executionId);
    if (outcome.kind === 'not_pending') throw new ConflictException(`Execution ${executionId} is already ${outcome.state}; only pending executions can be reprioritized`);
    this.changes?.record({ type: 'reprioritized', executionId, priority: outcome.priority, position: outcome.position, at: new Date(this.clock.now()) });
    // The reported position is the one right after the move; scheduling may dispatch it next.
    return { execution_id: executionId, priority: outcome.priority, position: outcome.position };
  }

  /** Publishes `execution_cancelled`; the coordinator then removes it or stops its pod. */
  async cancel(executionId: string): Promise<CancellationRequestedDto> {
    const found = await this.store.lookup(executionId);
    if (!found) throw notFound(executionId);
    const request = found.execution.payload;
    await this.publisher.publish(
      createEvent(
        EventType.ExecutionCancelled,
        {
          execution_id: executionId,
          reason: 'cancelled by an operator through the admin API',
          cancelled_by: ADMIN_CANCELLER,
          force_terminated: found.state === 'active',
        },
        { userId: request.metadata.user_id, environment: request.metadata.environment },
        eventSourceOf(this.options),
        new Date(this.clock.now()),
      ),
    );
    return { execution_id: executionId, state: found.state };
  }

  private toStatus(snapshot: QueueSnapshot): QueueStatusDto {
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

function notFound(executionId: string): NotFoundException {
  return new NotFoundException(`No pending or active execution ${executionId}`);
}
