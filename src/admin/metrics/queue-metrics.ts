import type { OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PRIORITIES, type Priority } from '../../contracts/priority.constants.js';
import type { CoordinatorObserver, FinishKind, RejectionReason } from '../../coordinator/coordinator-observer.port.js';
import type { QueueStateStore } from '../../coordinator/queue-state-store.port.js';
import type { TransportRetrySource } from '../../ports/transport-retries.port.js';
import type { StreamStats } from './stream-stats.port.js';
import type { DeadLetterCounts } from '../../ports/dead-letters.port.js';

/** Wait-time buckets in seconds: from instant dispatch to the default stale timeout. */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Actual / estimated wait: 1 is a perfect estimate; below it the execution started early, above it late. */
const ESTIMATE_RATIO_BUCKETS = [0.25, 0.5, 0.67, 0.8, 0.9, 1, 1.11, 1.25, 1.5, 2, 4];

/** An estimate of zero means a free slot was waiting: there is no ratio to take, so it is not measured. */
const SHORTEST_MEASURED_ESTIMATE_SECONDS = 0.001;

/**
 * The service's Prometheus metrics. Counters follow the coordinator's decisions in this
 * process; the depth and active gauges (in processes that read the state store) are read from
 * it at scrape time, so they show the shared queue even when several replicas run.
 */
export class QueueMetrics implements CoordinatorObserver, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly acceptedTotal: Counter<'priority'>;
  private readonly rejectedTotal: Counter<'reason' | 'priority'>;
  private readonly dispatchedTotal: Counter<'priority'>;
  private readonly finishedTotal: Counter<'outcome'>;
  private readonly cancelledTotal: Counter;
  private readonly waitSeconds: Histogram<'priority'>;
  private readonly estimateRatio: Histogram;

  private readonly registers: Registry[];

  /**
   * Every process has these metrics; the queue's gauges join once a role that reads the state
   * store is built (watchStore), the live streams' once the admin role is (watchStreams).
   * @param hostRegistry a host's registry that gets every metric too; they leave it when the
   * module closes, so a host that builds the module again can register them again.
   */
  constructor(
    deadLetters: DeadLetterCounts,
    transport?: TransportRetrySource,
    private readonly hostRegistry?: Registry,
  ) {
    const registers = hostRegistry ? [this.registry, hostRegistry] : [this.registry];
    this.registers = registers;
    if (transport) {
      new Counter({
        name: 'execution_queue_transport_retries_total',
        help: 'Deliveries of the in-process bus tried again after a transient failure (state store away)',
        registers,
        collect() {
          this.reset();
          this.inc(transport.retryStats().retriesTotal);
        },
      });
      new Gauge({
        name: 'execution_queue_transport_retrying',
        help: 'Consumers of the in-process bus waiting to retry a message',
        registers,
        collect() {
          this.set(transport.retryStats().retrying);
        },
      });
    }
    new Counter({
      name: 'execution_queue_dead_letters_total',
      help: 'Messages this process wrote to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(deadLetters.written())) this.inc({ reason }, count);
      },
    });
    this.acceptedTotal = new Counter({ name: 'execution_queue_accepted_total', help: 'Requests queued', labelNames: ['priority'], registers });
    this.rejectedTotal = new Counter({
      name: 'execution_queue_rejected_total',
      help: 'Requests or queued executions turned away, by reason (queue_full, user_limit, expired, dispatch_failed)',
      labelNames: ['reason', 'priority'],
      registers,
    });
    this.dispatchedTotal = new Counter({
      name: 'execution_queue_dispatched_total',
      help: 'Executions dispatched to the pod worker',
      labelNames: ['priority'],
      registers,
    });
    this.finishedTotal = new Counter({
      name: 'execution_queue_finished_total',
      help: 'Executions that ended, by outcome (completed, failed, timeout, lease_expired)',
      labelNames: ['outcome'],
      registers,
    });
    this.cancelledTotal = new Counter({ name: 'execution_queue_cancelled_total', help: 'Executions cancelled while pending or active', registers });
    this.waitSeconds = new Histogram({
      name: 'execution_queue_wait_seconds',
      help: 'Time from acceptance to dispatch',
      labelNames: ['priority'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.estimateRatio = new Histogram({
      name: 'execution_queue_wait_estimate_ratio',
      help: 'Actual wait / the estimated_wait_seconds announced at acceptance (1 = exact); estimates of zero are not measured',
      buckets: ESTIMATE_RATIO_BUCKETS,
      registers,
    });
  }

  /** The queue's gauges, read from the state store at scrape time. */
  watchStore(store: QueueStateStore): void {
    const registers = this.registers;
    new Gauge({
      name: 'execution_queue_depth',
      help: 'Pending executions by priority',
      labelNames: ['priority'],
      registers,
      async collect() {
        const { byPriority } = await store.snapshot();
        for (const priority of PRIORITIES) this.set({ priority }, byPriority[priority]);
      },
    });
    new Gauge({
      name: 'execution_queue_oldest_pending_age_seconds',
      help: 'How long the longest-waiting pending execution has waited (0 when none waits)',
      registers,
      async collect() {
        const { oldestEnqueuedAt } = await store.snapshot();
        this.set(oldestEnqueuedAt === null ? 0 : Math.max(0, (Date.now() - oldestEnqueuedAt) / 1000));
      },
    });
    new Gauge({
      name: 'execution_queue_active',
      help: 'Dispatched executions that have not finished',
      registers,
      async collect() {
        this.set((await store.snapshot()).activeCount);
      },
    });
    new Gauge({
      name: 'execution_queue_held',
      help: '1 while dispatching is held by an operator',
      registers,
      async collect() {
        this.set((await store.snapshot()).held ? 1 : 0);
      },
    });
  }

  /** The live streams' open connections and drops. */
  watchStreams(streams: StreamStats): void {
    const registers = this.registers;
    new Gauge({
      name: 'execution_queue_stream_clients',
      help: 'Open live-stream connections (admin and per-execution) on this process',
      registers,
      collect() {
        this.set(streams.streamStats().open);
      },
    });
    new Counter({
      name: 'execution_queue_stream_dropped_total',
      help: 'Live-stream clients disconnected for falling more than STREAM_MAX_BUFFERED_KB behind',
      registers,
      collect() {
        this.reset();
        this.inc(streams.streamStats().droppedTotal);
      },
    });
  }

  onModuleDestroy(): void {
    if (!this.hostRegistry) return;
    for (const metric of this.registry.getMetricsAsArray()) this.hostRegistry.removeSingleMetric(metric.name);
  }

  accepted(priority: Priority): void {
    this.acceptedTotal.inc({ priority });
  }

  rejected(reason: RejectionReason, priority: Priority): void {
    this.rejectedTotal.inc({ reason, priority });
  }

  dispatched(priority: Priority, waitedSeconds: number): void {
    this.dispatchedTotal.inc({ priority });
    this.waitSeconds.observe({ priority }, Math.max(0, waitedSeconds));
  }

  finished(kind: FinishKind): void {
    this.finishedTotal.inc({ outcome: kind });
  }

  cancelled(): void {
    this.cancelledTotal.inc();
  }

  waitEstimateChecked(actualSeconds: number, estimatedSeconds: number): void {
    if (estimatedSeconds < SHORTEST_MEASURED_ESTIMATE_SECONDS) return;
    this.estimateRatio.observe(Math.max(0, actualSeconds) / estimatedSeconds);
  }
}
