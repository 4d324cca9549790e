import fc from 'fast-check';
import type { AnyEvent } from '../../src/contracts/event-registry.js';
import type { ExecutionCancelledEvent } from '../../src/contracts/execution.events.js';
import { PRIORITIES, priorityRank, type Priority } from '../../src/contracts/priority.constants.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import { RejectionMessages } from '../../src/coordinator/domain/rejection-messages.js';
import type { TerminalEvent } from '../../src/coordinator/execution-coordinator.service.js';

/**
 * A reference model of the coordinator's rules (docs/design.md, "The rulebook"), written the
 * plain way: arrays and linear scans. Property tests drive the real coordinator over each state
 * store and this model with the same commands and compare every event and every count.
 */

/** One thing that happens to the coordinator. */
export type ModelCommand =
  | { type: 'request'; id: string; user: string; priority: Priority }
  | { type: 'cancel'; id: string }
  | { type: 'finish'; id: string; as: TerminalEvent['event_type'] }
  | { type: 'sign-of-life'; id: string }
  | { type: 'reprioritize'; id: string; priority: Priority }
  | { type: 'hold' }
  | { type: 'resume' }
  | { type: 'housekeeping' }
  /** While on, published commands are never confirmed (a replica that dies right after sending). */
  | { type: 'lose-confirmations'; on: boolean }
  | { type: 'weight'; user: string; weight: number }
  | { type: 'advance'; ms: number };

export const MODEL_USERS = ['u0', 'u1', 'u2', 'u3'] as const;

/**
 * Small limits, so that every rule is met often; lease and grace vary (either may end first);
 * either order, with aging off or stepping inside the stale timeout, and two default weights.
 */
export const modelLimitsArbitrary: fc.Arbitrary<QueueLimits> = fc.record({
  queueOrder: fc.constantFrom('fifo' as const, 'fair' as const),
  agingSeconds: fc.constantFrom(0, 3, 7),
  defaultUserWeight: fc.constantFrom(1, 2),
  maxQueueSize: fc.constantFrom(5, 12),
  maxExecutionsPerUser: fc.constantFrom(3, 6),
  staleTimeoutSeconds: fc.constant(10),
  maxActiveExecutions: fc.constantFrom(1, 2),
  recentIdsCapacity: fc.constant(100_000),
  leaseSeconds: fc.constantFrom(20, 60),
  dispatchGraceSeconds: fc.constantFrom(5, 30),
});

const ids = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `e${i}`));
const priorities = fc.constantFrom(...PRIORITIES);
export const modelCommandArbitrary: fc.Arbitrary<ModelCommand> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('request' as const), id: ids, user: fc.constantFrom(...MODEL_USERS), priority: priorities }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), id: ids }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('finish' as const),
      id: ids,
      as: fc.constantFrom('execution_completed' as const, 'execution_failed' as const, 'execution_timeout' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('sign-of-life' as const), id: ids }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('reprioritize' as const), id: ids, priority: priorities }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hold' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('resume' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('housekeeping' as const) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('lose-confirmations' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('weight' as const), user: fc.constantFrom(...MODEL_USERS), weight: fc.constantFrom(1, 2, 3, 7, 100) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('advance' as const),
      // Small steps, exact rule boundaries (stale 10 s, grace 5/30 s, lease 20/60 s) and long jumps.
      ms: fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.constantFrom(5_000, 5_001, 10_000, 20_000, 20_001, 30_000, 30_001, 60_000), fc.integer({ min: 0, max: 70_000 })),
    }),
  },
);

/** What is compared of each published event: its type, execution and the fields that carry decisions. */
export function essence(event: AnyEvent): string {
  switch (event.event_type) {
    case 'execution_accepted':
      return `accepted ${event.execution_id} @${event.queue_position} ${event.priority}`;
    case 'execution_failed':
      return `failed ${event.execution_id} ${event.error_type}: ${event.error_message}`;
    case 'create_pod_command':
      return `dispatch ${event.execution_id} ${event.priority}`;
    case 'delete_pod_command':
      return `delete ${event.execution_id} ${event.pod_name}`;
    default:
      return `${event.event_type} ${event.execution_id}`;
  }
}

export const finishedEvent = (id: string, type: TerminalEvent['event_type'] = 'execution_completed') => ({ execution_id: id, event_type: type }) as TerminalEvent;
export const cancelledEvent = (id: string) => ({ execution_id: id, reason: 'test', event_type: 'execution_cancelled' }) as ExecutionCancelledEvent;

interface ModelEntry {
  id: string;
  user: string;
  /** As asked (or set by an operator). */
  priority: Priority;
  /** Where it waits: its priority, or higher once aged. */
  level: Priority;
  /** Its place in the level: arrival (fifo) or start tag (fair). */
  key: number;
  arrival: number;
  at: number;
  /** When aging next lifts it, or null if it will not move. */
  nextAging: number | null;
}

/** Aging lifts up to high (rank 1); the model's own copy of the rule. */
const TOP_AGED_RANK = 1;
const TURN = 27_720;
const MODEL_PROMOTION_BUDGET = 256;

interface ModelActive {
  user: string;
  priority: Priority;
  dispatchedAt: number;
  /** Lease end once confirmed (dispatch or last sign of life + lease). */
  leaseEnd: number;
  /** End of the grace period while the dispatch is unconfirmed; null once confirmed. */
  graceEnd: number | null;
}

export class ReferenceModel {
  pending: ModelEntry[] = [];
  active = new Map<string, ModelActive>();
  seen = new Set<string>();
  /** The refusal line of each refused id, repeated when the request comes again. */
  refusals = new Map<string, string>();
  held = false;
  now = Date.UTC(2026, 0, 1);
  confirmationsLost = false;
  out: string[] = [];
  private arrivals = 0;
  /** Fair order: virtual time and latest finish tag per level, finish tag per level and user, weights set. */
  private virtualTime = [0, 0, 0, 0, 0];
  private latestFinish = [0, 0, 0, 0, 0];
  private finishTags = new Map<string, number>();
  private weights = new Map<string, number>();
  /** Dispatched (or dispatched again) by the current command; confirmed when it ends. */
  private sent: string[] = [];

  constructor(private readonly limits: QueueLimits) {}

  apply(command: ModelCommand): void {
    this.handle(command);
    if (!this.confirmationsLost) {
      for (const id of this.sent) {
        const active = this.active.get(id);
        if (active && active.graceEnd !== null) {
          active.graceEnd = null;
          active.leaseEnd = active.dispatchedAt + this.leaseMs;
        }
      }
    }
    this.sent = [];
  }

  private handle(command: ModelCommand): void {
    switch (command.type) {
      case 'request':
        return this.request(command.id, command.user, command.priority);
      case 'cancel': {
        const active = this.active.get(command.id);
        this.forget(command.id);
        if (active) this.out.push(`delete ${command.id} executor-${command.id}`);
        return this.schedule();
      }
      case 'finish':
        this.forget(command.id);
        return this.schedule();
      case 'sign-of-life': {
        const active = this.active.get(command.id);
        if (active) {
          active.leaseEnd = this.now + this.leaseMs;
          active.graceEnd = null;
        }
        return;
      }
      case 'reprioritize': {
        const entry = this.pending.find((candidate) => candidate.id === command.id);
        if (!entry) return;
        if (entry.priority !== command.priority || entry.level !== command.priority) {
          entry.priority = command.priority;
          entry.level = command.priority;
          entry.key = this.keyFor(entry);
          entry.nextAging = this.agingFrom(command.priority, this.now);
        }
        return this.schedule();
      }
      case 'weight':
        this.weights.set(command.user, command.weight);
        return;
      case 'hold':
        this.held = true;
        return;
      case 'resume':
        this.held = false;
        return this.schedule();
      case 'housekeeping':
        return this.schedule();
      case 'lose-confirmations':
        this.confirmationsLost = command.on;
        return;
      case 'advance':
        this.now += command.ms;
        return;
    }
  }

  private request(id: string, user: string, priority: Priority): void {
    const queued = this.pending.find((entry) => entry.id === id);
    if (queued) {
      this.out.push(`accepted ${id} @${this.inOrder().indexOf(queued)} ${queued.priority}`);
      return;
    }
    if (this.refusals.has(id)) {
      this.out.push(this.refusals.get(id)!);
      return;
    }
    if (this.active.has(id)) {
      // Re-announced at the front: the first answer may have been lost with a crashed replica.
      this.out.push(`accepted ${id} @0 ${priority}`);
      return;
    }
    if (this.seen.has(id)) return;
    const othersWaiting = this.pending.length > 0;
    if (this.pending.length >= this.limits.maxQueueSize) {
      const stale = this.pending.filter((entry) => this.isStale(entry)).sort((a, b) => a.arrival - b.arrival);
      for (const entry of stale) {
        this.forget(entry.id);
        this.out.push(`failed ${entry.id} timeout: ${RejectionMessages.expiredInQueue(this.limits.staleTimeoutSeconds)}`);
      }
      if (this.pending.length >= this.limits.maxQueueSize) {
        this.refuse(id, `failed ${id} resource_limit: ${RejectionMessages.queueFull(this.limits.maxQueueSize)}`);
        return;
      }
    }
    if (this.usage(user) >= this.limits.maxExecutionsPerUser) {
      this.refuse(id, `failed ${id} resource_limit: ${RejectionMessages.userLimit(this.limits.maxExecutionsPerUser)}`);
      return;
    }
    if (this.pending.length === 0 && this.active.size === 0 && !this.held) {
      this.virtualTime = [0, 0, 0, 0, 0];
      this.latestFinish = [0, 0, 0, 0, 0];
      this.finishTags.clear();
    }
    const arriving = { userIdle: this.usage(user) === 0, slotFree: !this.held && this.active.size < this.limits.maxActiveExecutions };
    const entry: ModelEntry = { id, user, priority, level: priority, key: 0, arrival: this.arrivals++, at: this.now, nextAging: this.agingFrom(priority, this.now) };
    entry.key = this.keyFor(entry, arriving);
    this.pending.push(entry);
    this.out.push(`accepted ${id} @${this.inOrder().indexOf(entry)} ${priority}`);
    // An admission that finds others waiting does not schedule: no slot is free then, or
    // dispatching is held, and whatever frees one schedules (so due repairs wait for that too).
    if (!othersWaiting) this.schedule();
  }

  private refuse(id: string, line: string): void {
    this.seen.add(id);
    this.refusals.set(id, line);
    this.out.push(line);
  }

  /**
   * fifo: arrival. fair: max(level's virtual time, user's finish tag there), or the virtual time
   * alone for an arriving user with nothing pending or running; the finish moved on by
   * floor(TURN / weight). An arrival that finds nothing waiting at its level and a slot free
   * first moves the level's virtual time up to the latest finish tag given there. A move is
   * not an arrival (`arriving` absent).
   */
  private keyFor(entry: ModelEntry, arriving?: { userIdle: boolean; slotFree: boolean }): number {
    if (this.limits.queueOrder !== 'fair') return entry.arrival;
    const rank = priorityRank(entry.level);
    if (arriving?.slotFree && !this.pending.some((other) => other.level === entry.level)) this.virtualTime[rank] = Math.max(this.virtualTime[rank]!, this.latestFinish[rank]!);
    const finishKey = `${rank}:${entry.user}`;
    const start = arriving?.userIdle ? this.virtualTime[rank]! : Math.max(this.virtualTime[rank]!, this.finishTags.get(finishKey) ?? 0);
    const finish = start + Math.floor(TURN / (this.weights.get(entry.user) ?? this.limits.defaultUserWeight ?? 1));
    this.finishTags.set(finishKey, finish);
    this.latestFinish[rank] = Math.max(this.latestFinish[rank]!, finish);
    return start;
  }

  private agingFrom(level: Priority, from: number): number | null {
    const agingMs = (this.limits.agingSeconds ?? 0) * 1000;
    return agingMs > 0 && priorityRank(level) > TOP_AGED_RANK ? from + agingMs : null;
  }

  /** Lifts entries whose aging step is due, earliest first (ties by id), one level each time. */
  private promote(): void {
    const agingMs = (this.limits.agingSeconds ?? 0) * 1000;
    for (let promoted = 0; promoted < MODEL_PROMOTION_BUDGET; promoted++) {
      const due = this.pending
        .filter((entry) => entry.nextAging !== null && entry.nextAging <= this.now)
        .sort((a, b) => a.nextAging! - b.nextAging! || (a.id < b.id ? -1 : 1))[0];
      if (!due) return;
      due.level = PRIORITIES[priorityRank(due.level) - 1]!;
      due.key = this.keyFor(due);
      due.nextAging = priorityRank(due.level) > TOP_AGED_RANK ? due.nextAging! + agingMs : null;
    }
  }

  /** Aging, then repairs (earliest due; a lease before a grace period at the same ms; then by id), then dispatches. */
  private schedule(): void {
    this.promote();
    for (let due = this.firstDue(); due; due = this.firstDue()) {
      const [id, active] = due;
      if (active.graceEnd !== null && active.dispatchedAt + this.leaseMs >= this.now) {
        active.graceEnd = this.now + this.graceMs;
        this.out.push(`dispatch ${id} ${active.priority}`);
        this.sent.push(id);
        continue;
      }
      this.forget(id);
      this.out.push(`delete ${id} executor-${id}`, `failed ${id} system_error: ${RejectionMessages.leaseExpired(this.limits.leaseSeconds)}`);
    }
    while (!this.held && this.active.size < this.limits.maxActiveExecutions && this.pending.length > 0) {
      const next = this.inOrder()[0]!;
      this.pending = this.pending.filter((entry) => entry !== next);
      if (this.limits.queueOrder === 'fair') this.virtualTime[priorityRank(next.level)] = next.key;
      this.seen.add(next.id);
      if (this.isStale(next)) {
        this.out.push(`failed ${next.id} timeout: ${RejectionMessages.expiredInQueue(this.limits.staleTimeoutSeconds)}`);
        continue;
      }
      this.active.set(next.id, { user: next.user, priority: next.priority, dispatchedAt: this.now, leaseEnd: this.now + this.leaseMs, graceEnd: this.now + this.graceMs });
      this.out.push(`dispatch ${next.id} ${next.priority}`);
      this.sent.push(next.id);
    }
  }

  private firstDue(): [string, ModelActive] | undefined {
    const dueAt = (active: ModelActive) => (active.graceEnd === null ? active.leaseEnd : Math.min(active.graceEnd, active.dispatchedAt + this.leaseMs));
    const candidates = [...this.active.entries()].filter(([, active]) => dueAt(active) < this.now);
    candidates.sort(([idA, a], [idB, b]) => dueAt(a) - dueAt(b) || (a.graceEnd === null ? 0 : 1) - (b.graceEnd === null ? 0 : 1) || (idA < idB ? -1 : 1));
    return candidates[0];
  }

  inOrder(): ModelEntry[] {
    return [...this.pending].sort((a, b) => priorityRank(a.level) - priorityRank(b.level) || a.key - b.key || a.arrival - b.arrival);
  }

  usage(user: string): number {
    return this.pending.filter((entry) => entry.user === user).length + [...this.active.values()].filter((a) => a.user === user).length;
  }

  private isStale(entry: ModelEntry): boolean {
    return this.now - entry.at > this.limits.staleTimeoutSeconds * 1000;
  }

  private get leaseMs(): number {
    return this.limits.leaseSeconds * 1000;
  }

  private get graceMs(): number {
    return this.limits.dispatchGraceSeconds * 1000;
  }

  private forget(id: string): void {
    if (this.active.delete(id) || this.pending.some((entry) => entry.id === id)) this.seen.add(id);
    this.pending = this.pending.filter((entry) => entry.id !== id);
  }
}

/** Command sequences of up to 120 steps, spread over the whole range (fast-check favours short ones by default). */
export const modelSequenceArbitrary: fc.Arbitrary<ModelCommand[]> = fc.array(modelCommandArbitrary, { minLength: 1, maxLength: 120, size: 'max' });
