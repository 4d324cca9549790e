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
  | { type: 'advance'; ms: number }
  /** `count` requests of one user at one priority, one after another (ids `b<tag>-<n>`): queues long enough to reach the per-run budgets. */
  | { type: 'burst'; tag: number; user: string; priority: Priority; count: number };

/** The ids a burst requests, in order. */
export function burstIds(command: { tag: number; count: number }): string[] {
  return Array.from({ length: command.count }, (_, index) => `b${command.tag}-${index}`);
}

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
  // Small capacities forget ids within a sequence, so a forgotten id is requested again.
  recentIdsCapacity: fc.constantFrom(0, 2, 5, 100_000),
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

const burstArbitrary: fc.Arbitrary<ModelCommand> = fc.record({
  type: fc.constant('burst' as const),
  tag: fc.integer({ min: 0, max: 9 }),
  user: fc.constantFrom(...MODEL_USERS),
  priority: fc.constantFrom<Priority>('low', 'background'),
  count: fc.integer({ min: 70, max: 300 }),
});

/**
 * Limits for sequences that reach the per-run budgets: a queue long enough for a run to meet
 * more than MAX_PROMOTIONS_PER_RUN due promotions or MAX_REPAIR_STEPS_PER_RUN stale drops, and
 * either one slot or enough slots for as many unconfirmed dispatches to come due together.
 */
export const budgetLimitsArbitrary: fc.Arbitrary<QueueLimits> = fc.record({
  queueOrder: fc.constantFrom('fifo' as const, 'fair' as const),
  agingSeconds: fc.constantFrom(3, 7),
  defaultUserWeight: fc.constant(1),
  maxQueueSize: fc.constant(400),
  maxExecutionsPerUser: fc.constant(350),
  staleTimeoutSeconds: fc.constant(10),
  maxActiveExecutions: fc.constantFrom(1, 80),
  recentIdsCapacity: fc.constantFrom(3, 50, 100_000),
  leaseSeconds: fc.constantFrom(20, 60),
  dispatchGraceSeconds: fc.constantFrom(5, 30),
});

/** A burst first, then ordinary commands and more bursts. */
export const budgetSequenceArbitrary: fc.Arbitrary<ModelCommand[]> = fc
  .tuple(burstArbitrary, fc.array(fc.oneof({ weight: 12, arbitrary: modelCommandArbitrary }, { weight: 1, arbitrary: burstArbitrary }), { minLength: 1, maxLength: 30, size: 'max' }))
  .map(([first, rest]) => [first, ...rest]);

/** How often the model met each per-run budget and forgot a remembered id, over all the sequences it ran: the tests check the budgets were reached. */
export const budgetsReached = { promotions: 0, repairs: 0, forgottenIds: 0 };

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
/** Per scheduling run: due promotions taken, and steps that dispatch nothing (repairs and stale drops). */
const MODEL_PROMOTION_BUDGET = 256;
const MODEL_REPAIR_BUDGET = 64;
/** How many dispatches a scheduling run may make: the coordinator hands a run two saga ids, an admission's run one. */
const RUN_SAGAS = 2;
const ADMISSION_RUN_SAGAS = 1;

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
  /** Finished or refused ids in the order they were remembered; beyond the capacity the oldest are forgotten. */
  private recent: string[] = [];
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
      case 'burst':
        for (const id of burstIds(command)) this.request(id, command.user, command.priority);
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
    if (!othersWaiting) this.schedule(ADMISSION_RUN_SAGAS);
  }

  private refuse(id: string, line: string): void {
    this.remember(id);
    if (this.seen.has(id)) this.refusals.set(id, line);
    this.out.push(line);
  }

  /** A finished or refused id is a duplicate while remembered. */
  private remember(id: string): void {
    if (this.limits.recentIdsCapacity <= 0) return;
    this.seen.add(id);
    this.recent.push(id);
    if (this.recent.length > this.limits.recentIdsCapacity) {
      const forgotten = this.recent.shift()!;
      this.seen.delete(forgotten);
      this.refusals.delete(forgotten);
      budgetsReached.forgottenIds++;
    }
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

  /** Lifts entries whose aging step is due, earliest first (ties by id), one level each time; at most the budget. */
  private promote(): void {
    const agingMs = (this.limits.agingSeconds ?? 0) * 1000;
    if (agingMs === 0) return;
    const isDue = (entry: ModelEntry) => entry.nextAging !== null && entry.nextAging <= this.now;
    for (let promoted = 0; ; promoted++) {
      const due = this.pending.filter(isDue).sort((a, b) => a.nextAging! - b.nextAging! || (a.id < b.id ? -1 : 1))[0];
      if (!due) return;
      if (promoted === MODEL_PROMOTION_BUDGET) {
        budgetsReached.promotions++;
        return;
      }
      due.level = PRIORITIES[priorityRank(due.level) - 1]!;
      due.key = this.keyFor(due);
      due.nextAging = priorityRank(due.level) > TOP_AGED_RANK ? due.nextAging! + agingMs : null;
    }
  }

  /** Scheduling runs until one ends idle; the first may make `sagas` dispatches, the rest RUN_SAGAS each. */
  private schedule(sagas = RUN_SAGAS): void {
    for (let run = sagas; !this.run(run); run = RUN_SAGAS);
  }

  /**
   * One scheduling run: aging, then repairs (earliest due; a lease before a grace period at the
   * same ms; then by id), then dispatches. False when it stopped early: `sagas` dispatches made,
   * or MAX_REPAIR_STEPS_PER_RUN steps that dispatched nothing (repairs and stale drops).
   */
  private run(sagas: number): boolean {
    this.promote();
    let repairs = 0;
    const overBudget = () => {
      if (repairs < MODEL_REPAIR_BUDGET) return false;
      budgetsReached.repairs++;
      return true;
    };
    for (let due = this.firstDue(); due; due = this.firstDue()) {
      if (overBudget()) return false;
      repairs++;
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
    if (this.held) return true;
    for (let dispatched = 0; dispatched < sagas; ) {
      if (overBudget()) return false;
      if (this.active.size >= this.limits.maxActiveExecutions || this.pending.length === 0) return true;
      const next = this.inOrder()[0]!;
      this.pending = this.pending.filter((entry) => entry !== next);
      if (this.limits.queueOrder === 'fair') this.virtualTime[priorityRank(next.level)] = next.key;
      if (this.isStale(next)) {
        this.remember(next.id);
        this.out.push(`failed ${next.id} timeout: ${RejectionMessages.expiredInQueue(this.limits.staleTimeoutSeconds)}`);
        repairs++;
        continue;
      }
      this.active.set(next.id, { user: next.user, priority: next.priority, dispatchedAt: this.now, leaseEnd: this.now + this.leaseMs, graceEnd: this.now + this.graceMs });
      this.out.push(`dispatch ${next.id} ${next.priority}`);
      this.sent.push(next.id);
      dispatched++;
    }
    return false;
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
    if (this.active.delete(id) || this.pending.some((entry) => entry.id === id)) this.remember(id);
    this.pending = this.pending.filter((entry) => entry.id !== id);
  }
}

/** Command sequences of up to 120 steps, spread over the whole range (fast-check favours short ones by default). */
export const modelSequenceArbitrary: fc.Arbitrary<ModelCommand[]> = fc.array(modelCommandArbitrary, { minLength: 1, maxLength: 120, size: 'max' });
