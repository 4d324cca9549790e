import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { eventSourceOf } from '../config/event-source.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { createEvent } from '../contracts/event-factory.js';
import { EventType } from '../contracts/event-type.constants.js';
import type { Priority } from '../contracts/priority.constants.js';
import type { Clock } from '../coordinator/domain/clock.js';
import type { QueueSnapshot } from '../coordinator/domain/coordinator-state.js';
import { ExecutionCoordinator } from '../coordinator/execution-coordinator.service.js';
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
} from './dto/admin-responses.dto.js';
import type { QueueStatusDto } from './dto/queue-status.dto.js';
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
  ) {}

  async status(): Promise<QueueStatusDto> {
    return this.toStatus(await this.store.snapshot());
  }

  async hold(): Promise<QueueStatusDto> {
    await this.coordinator.hold();
    return this.status();
  }

  async resume(): Promise<QueueStatusDto> {
    await this.coordinator.resume();
    return this.status();
  }

  async users(offset: number, limit: number): Promise<UsersPageDto> {
    const page = await this.store.usersPage(offset, limit);
    return {
      items: page.items.map((row) => ({ user_id: row.userId, pending: row.pending, active: row.active, total: row.pending + row.active })),
      total: page.total,
    };
  }

  async user(userId: string): Promise<UserDetailDto> {
    const usage = await this.store.userUsage(userId);
    return { user_id: userId, ...usage, total: usage.pending + usage.active, limit: this.options.queue.maxExecutionsPerUser };
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
    return {
      items: page.items.map((execution) => ({
        execution_id: execution.executionId,
        user_id: execution.userId,
        priority: execution.priority,
        position: execution.position,
        enqueued_at: iso(execution.enqueuedAt),
        age_seconds: ageSeconds(now, execution.enqueuedAt),
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
    const snapshot = await this.store.snapshot();
    return {
      ...common,
      state: 'pending',
      position: found.position,
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

function ageSeconds(now: number, since: number): number {
  return Math.max(0, (now - since) / 1000);
}

function notFound(executionId: string): NotFoundException {
  return new NotFoundException(`No pending or active execution ${executionId}`);
}
