/** A run in progress, as the estimator sees it. */
export interface RunInProgress {
  dispatchedAt: number;
  /** What its run time is learned under (its language); undefined when not known here. */
  runtimeKey?: string;
}

/** Runs to see finish before estimates are given: a guess from one or two runs misleads more than it helps. */
export const MIN_RUNS_BEFORE_ESTIMATES = 5;

/** Weight of the newest run in the running means: about the last hundred runs count. */
const SMOOTHING = 0.01;

/**
 * A run that already took longer than its kind's mean is expected to take at least this share
 * of that mean more: run times are skewed (log-normal-like), so a long run tends to run on
 * rather than finish any moment.
 */
const OVERDUE_REMAINING_SHARE = 0.35;

/**
 * Largest step, in mean runs, of the learned passing delay: small enough that one odd wait moves
 * it little, large enough that it settles within a few dozen observations.
 */
const PASSING_DELAY_STEP = 0.1;

/** A running mean that starts as the plain mean and turns exponential once it has enough runs. */
class RunningMean {
  count = 0;
  value = 0;

  add(sample: number): void {
    this.count++;
    this.value += (sample - this.value) * Math.max(SMOOTHING, 1 / this.count);
  }
}

/**
 * Estimates when a pending execution will start from what the service has seen: recent run
 * times (overall and per runtime), what the runs in progress have left, the position and the
 * number of slots. The execution at position p needs the (k+1)-th slot to free, k = p minus the
 * free slots. The first slots to free are the runs in progress, each expected to end after its
 * runtime's mean run time (at least a share of it, when it already ran longer); beyond them, and
 * as a floor, slots free at the rate the service sustains: slots per mean run, with the runs in
 * progress half done on average, so (k + 1/2) mean runs / slots. O(slots log slots), whatever
 * the queue's length. Pure state, fed by whoever sees runs finish.
 */
export class WaitEstimator {
  private readonly overall = new RunningMean();
  private readonly byKey = new Map<string, RunningMean>();
  /**
   * How much longer than its position says an execution that can still be passed waits, in mean
   * runs (fair order: later arrivals of other users may go ahead of it, which no position
   * foresees). Learned from such executions as they start (see observePassedWait).
   */
  private passingDelayRuns = 0;

  constructor(private readonly slots: number) {}

  /** A run finished after `durationMs`. */
  observe(durationMs: number, runtimeKey?: string): void {
    if (!(durationMs >= 0)) return;
    this.overall.add(durationMs);
    if (runtimeKey === undefined) return;
    let mean = this.byKey.get(runtimeKey);
    if (!mean) this.byKey.set(runtimeKey, (mean = new RunningMean()));
    mean.add(durationMs);
  }

  /** Mean run time so far (ms), or null before MIN_RUNS_BEFORE_ESTIMATES runs. */
  meanRunMs(): number | null {
    return this.overall.count >= MIN_RUNS_BEFORE_ESTIMATES ? this.overall.value : null;
  }

  /**
   * Milliseconds until the execution at 0-based `position` starts, if nothing else arrives;
   * null until enough runs were seen. `running` are the runs in progress.
   */
  estimateWaitMs(position: number, now: number, running: readonly RunInProgress[]): number | null {
    return this.estimateWaitsMs([position], now, running)[0]!;
  }

  /** As estimateWaitMs for several positions, sharing the work that does not depend on the position. */
  estimateWaitsMs(positions: readonly number[], now: number, running: readonly RunInProgress[]): (number | null)[] {
    const outlook = this.outlook(now, running.length, () => running);
    return positions.map((position) => (outlook ? outlook.waitMs(position) : null));
  }

  /**
   * What every estimate at `now` shares, to be reused for several positions: null until enough
   * runs were seen. `runningCount` runs are in progress; `running` gives them, and is read only
   * on the first position that needs them (never while slots are free), so the caller must not
   * change them while it uses this outlook. Sorting them by what they have left is the one cost
   * above O(1).
   */
  outlook(now: number, runningCount: number, running: () => Iterable<RunInProgress>): SlotOutlook | null {
    const mean = this.meanRunMs();
    if (mean === null) return null;
    return new SlotOutlook(now, mean, this.slots, Math.max(0, this.slots - runningCount), () => {
      const remaining: number[] = [];
      for (const run of running()) {
        if (remaining.length === this.slots) break;
        remaining.push(this.remainingMs(run, now, mean));
      }
      return remaining.sort((a, b) => a - b);
    });
  }

  /**
   * The estimate announced at acceptance: the position-based one, plus for an execution that
   * could still be passed the delay passing has lately added.
   */
  announcedWaitMs(positionBasedMs: number, passable: boolean): number {
    const mean = this.meanRunMs();
    return passable && mean !== null ? positionBasedMs + this.passingDelayRuns * mean : positionBasedMs;
  }

  /**
   * An execution that could still be passed when accepted started after `actualMs`, where its
   * position alone had said `positionBasedMs`: the passing delay learns from it. Only waits of
   * at least one mean run teach (shorter ones are not what an estimate is for, and would pull
   * it towards nothing). Each step is weighted by mean run / actual wait: a stochastic-gradient
   * step on the relative error |actual − estimate| / actual, the measure the estimate is judged by.
   */
  observePassedWait(actualMs: number, positionBasedMs: number): void {
    const mean = this.meanRunMs();
    if (mean === null || mean <= 0 || actualMs < mean) return;
    const excessRuns = (actualMs - positionBasedMs) / mean;
    const direction = excessRuns > this.passingDelayRuns ? 1 : -1;
    this.passingDelayRuns = Math.max(0, this.passingDelayRuns + direction * PASSING_DELAY_STEP * (mean / actualMs));
  }

  private remainingMs(run: RunInProgress, now: number, overallMean: number): number {
    const known = run.runtimeKey === undefined ? undefined : this.byKey.get(run.runtimeKey);
    const mean = known && known.count >= MIN_RUNS_BEFORE_ESTIMATES ? known.value : overallMean;
    const elapsed = Math.max(0, now - run.dispatchedAt);
    return Math.max(mean - elapsed, mean * OVERDUE_REMAINING_SHARE);
  }
}

/**
 * The slots as seen at one moment (`at`): how many are free and, sorted, how long each run in
 * progress has left. The execution at position p needs the (k+1)-th slot to free, k = p - free.
 */
export class SlotOutlook {
  private remaining?: number[];

  constructor(
    readonly at: number,
    private readonly meanRunMs: number,
    private readonly slots: number,
    private readonly free: number,
    private readonly sortRemaining: () => number[],
  ) {}

  /** Milliseconds until the execution at 0-based `position` starts; null for a negative position. */
  waitMs(position: number): number | null {
    if (position < 0) return null;
    const k = position - this.free;
    if (k < 0) return 0;
    this.remaining ??= this.sortRemaining();
    return Math.max(this.remaining[k] ?? 0, ((k + 0.5) * this.meanRunMs) / this.slots);
  }
}
