import { randomUUID } from 'node:crypto';
import type { Priority } from '../src/contracts/priority.constants.js';
import { CoordinatorState } from '../src/coordinator/domain/coordinator-state.js';
import type { QueueLimits } from '../src/coordinator/domain/queue-limits.js';
import type { QueueOrder } from '../src/contracts/queue-order.constants.js';

/** A submission in a simulated scenario. */
export interface Submission {
  at: number;
  id: string;
  user: string;
  priority: Priority;
  /** How long its run takes once started (ms). */
  runMs: number;
  language?: string;
}

export interface SimulatedRun {
  submission: Submission;
  startedAt: number;
}

/** What a scenario's observer may do at each acceptance (the estimate benchmark measures there). */
export interface SimulationHooks {
  /** `passable`: later arrivals of other users may still go ahead of it (see AdmissionOutcome). */
  accepted?(submission: Submission, position: number, now: number, running: readonly SimulatedRun[], passable: boolean): void;
  started?(run: SimulatedRun): void;
  finished?(run: SimulatedRun, now: number): void;
}

export interface SimulationSettings {
  order: QueueOrder;
  slots: number;
  agingSeconds?: number;
  weights?: Record<string, number>;
  /** Stop after this many dispatches (the rest stays queued). */
  maxDispatches?: number;
}

/**
 * Runs submissions through the coordinator's own rules (CoordinatorState, the in-memory store's
 * core) on a simulated clock: arrivals in time order, each run occupying a slot for its run
 * time, scheduling after every arrival and every finish, as the service does. Returns the runs
 * in start order.
 */
export function simulate(submissions: readonly Submission[], settings: SimulationSettings, hooks: SimulationHooks = {}): SimulatedRun[] {
  const limits: QueueLimits = {
    maxQueueSize: 10_000_000,
    maxExecutionsPerUser: 10_000_000,
    staleTimeoutSeconds: 365 * 24 * 3600,
    maxActiveExecutions: settings.slots,
    recentIdsCapacity: 0,
    leaseSeconds: 365 * 24 * 3600,
    dispatchGraceSeconds: 365 * 24 * 3600,
    queueOrder: settings.order,
    agingSeconds: settings.agingSeconds ?? 0,
  };
  const state = new CoordinatorState<Submission>(limits);
  for (const [user, weight] of Object.entries(settings.weights ?? {})) state.setUserWeight(user, weight);
  const arrivals = [...submissions].sort((a, b) => a.at - b.at);
  const started: SimulatedRun[] = [];
  const running = new Map<string, SimulatedRun>();
  let next = 0;
  const maxDispatches = settings.maxDispatches ?? Infinity;

  const schedule = (now: number) => {
    const result = state.schedule(now, Array.from({ length: settings.slots }, () => randomUUID()));
    for (const step of result.steps) {
      if (step.kind !== 'dispatched') continue;
      const run: SimulatedRun = { submission: step.execution.payload, startedAt: now };
      started.push(run);
      running.set(step.execution.executionId, run);
      hooks.started?.(run);
    }
  };

  while (started.length < maxDispatches && (next < arrivals.length || running.size > 0)) {
    const nextFinish = earliestFinish(running);
    const arrival = arrivals[next];
    if (arrival && (!nextFinish || arrival.at <= nextFinish.at)) {
      next++;
      const outcome = state.admit({ executionId: arrival.id, userId: arrival.user, priority: arrival.priority, payload: arrival }, arrival.at);
      if (outcome.kind !== 'accepted') throw new Error(`simulation refused ${arrival.id}: ${outcome.kind}`);
      hooks.accepted?.(arrival, outcome.position, arrival.at, [...running.values()], outcome.passable);
      schedule(arrival.at);
      continue;
    }
    if (!nextFinish) break;
    running.delete(nextFinish.run.submission.id);
    state.release(nextFinish.run.submission.id);
    hooks.finished?.(nextFinish.run, nextFinish.at);
    schedule(nextFinish.at);
  }
  return started;
}

function earliestFinish(running: Map<string, SimulatedRun>): { run: SimulatedRun; at: number } | undefined {
  let best: { run: SimulatedRun; at: number } | undefined;
  for (const run of running.values()) {
    const at = run.startedAt + run.submission.runMs;
    if (!best || at < best.at) best = { run, at };
  }
  return best;
}
