import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { CLOCK, COORDINATOR_OBSERVER, QUEUE_STATE_STORE } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import { NO_OP_OBSERVER, type CoordinatorObserver } from './coordinator-observer.port.js';
import type { Clock } from './domain/clock.js';
import type { ActiveExecution } from './domain/coordinator-outcomes.js';
import { WaitEstimator, type RunInProgress, type SlotOutlook } from './domain/wait-estimator.js';
import type { QueueStateStore, StoredRequest } from './queue-state-store.port.js';

/** How long the view of runs in progress is trusted before it is read again from the store (other replicas dispatch too). */
const RUNNING_VIEW_TTL_MS = 5_000;

/**
 * How long one outlook of the slots serves the estimates after it, as long as no run started,
 * ended or was learned from meanwhile: a busy queue accepts thousands of requests a second, and
 * sorting the runs in progress for each (O(slots log slots)) was a large share of handling one.
 * What a run has left drifts by at most this much, small against run times of seconds.
 */
const OUTLOOK_REUSE_MS = 100;

/** Most estimates remembered until their execution starts (to measure them); the oldest are dropped beyond it. */
const MAX_PROMISES_KEPT = 100_000;

/** An estimate announced at acceptance, kept until its execution starts. */
interface AnnouncedWait {
  waitMs: number;
  /** What the position alone said (the announced wait adds the passing delay when passable). */
  positionBasedMs: number;
  passable: boolean;
}

/**
 * The wait-time estimates of this process (docs/design.md, "Wait-time estimate"): learns run
 * times from the runs it sees finish (what it learns is rebuilt from a few runs after a restart),
 * keeps a view of the runs in progress (its own dispatches at once, other replicas' from the
 * store every few seconds, one O(active) read), and measures each estimate it gave against the
 * wait that followed (the actual / estimated histogram).
 */
@Injectable()
export class WaitEstimates {
  private readonly estimator: WaitEstimator;
  private readonly running = new Map<string, RunInProgress>();
  /** What was announced at acceptance, by execution id, until the execution starts. */
  private readonly promised = new Map<string, AnnouncedWait>();
  private viewReadAt = -Infinity;
  private outlook: SlotOutlook | null = null;
  /** Bumped whenever the runs in progress or what was learned change: an outlook of an older version is not reused. */
  private version = 0;
  private outlookVersion = -1;

  constructor(
    @Inject(QUEUE_STATE_STORE) private readonly store: QueueStateStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
    @Optional() @Inject(COORDINATOR_OBSERVER) private readonly observer: CoordinatorObserver = NO_OP_OBSERVER,
  ) {
    this.estimator = new WaitEstimator(options.queue.maxActiveExecutions);
  }

  /** Estimated waits (ms) for these queue positions; null before a few runs were seen. */
  async waitsMs(positions: readonly number[]): Promise<(number | null)[]> {
    if (this.estimator.meanRunMs() === null) return positions.map(() => null);
    await this.refreshRunningView();
    const outlook = this.currentOutlook(this.clock.now());
    return positions.map((position) => (outlook ? outlook.waitMs(position) : null));
  }

  private currentOutlook(now: number): SlotOutlook | null {
    const { outlook } = this;
    if (outlook && this.outlookVersion === this.version && now >= outlook.at && now - outlook.at < OUTLOOK_REUSE_MS) return outlook;
    this.outlookVersion = this.version;
    // The runs are read lazily: every change to them bumps the version, so an outlook is never
    // used after they changed.
    return (this.outlook = this.estimator.outlook(now, this.running.size, () => this.running.values()));
  }

  /**
   * The wait (ms) to announce for an execution just accepted at `position`; `passable`: later
   * arrivals may still go ahead of it (see AdmissionOutcome). Null before a few runs were seen.
   * Remembered, and measured when the execution starts.
   */
  async announce(executionId: string, position: number, passable: boolean): Promise<number | null> {
    const [positionBasedMs] = await this.waitsMs([position]);
    if (positionBasedMs === null || positionBasedMs === undefined) return null;
    const waitMs = this.estimator.announcedWaitMs(positionBasedMs, passable);
    this.promised.delete(executionId);
    this.promised.set(executionId, { waitMs, positionBasedMs, passable });
    if (this.promised.size > MAX_PROMISES_KEPT) this.promised.delete(this.promised.keys().next().value!);
    return waitMs;
  }

  dispatched(execution: ActiveExecution<StoredRequest>): void {
    this.version++;
    this.running.set(execution.executionId, { dispatchedAt: execution.dispatchedAt, runtimeKey: execution.payload.language });
    const promised = this.promised.get(execution.executionId);
    if (promised === undefined) return;
    this.promised.delete(execution.executionId);
    const waitedMs = execution.dispatchedAt - execution.enqueuedAt;
    if (promised.passable) this.estimator.observePassedWait(waitedMs, promised.positionBasedMs);
    this.observer.waitEstimateChecked(waitedMs / 1000, promised.waitMs / 1000);
  }

  /** A run ended with a result: its time is learned. */
  finished(executionId: string): void {
    const run = this.running.get(executionId);
    // forget bumps the version when the run was known, which also covers what observe learns.
    this.forget(executionId);
    if (run) this.estimator.observe(this.clock.now() - run.dispatchedAt, run.runtimeKey);
  }

  /** An execution left without a run time worth learning (cancelled, lost, expired). */
  forget(executionId: string): void {
    if (this.running.delete(executionId)) this.version++;
    this.promised.delete(executionId);
  }

  private async refreshRunningView(): Promise<void> {
    const now = this.clock.now();
    if (now - this.viewReadAt < RUNNING_VIEW_TTL_MS) return;
    this.viewReadAt = now;
    this.version++;
    const page = await this.store.activePage(0, this.options.queue.maxActiveExecutions);
    const active = new Set(page.items.map((item) => item.executionId));
    for (const id of this.running.keys()) if (!active.has(id)) this.running.delete(id);
    for (const item of page.items) if (!this.running.has(item.executionId)) this.running.set(item.executionId, { dispatchedAt: item.dispatchedAt });
  }
}
