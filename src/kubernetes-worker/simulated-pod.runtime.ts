import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createEvent, type EventOrigin, type EventSource } from '../contracts/event-factory.js';
import { EventType } from '../contracts/event-type.constants.js';
import type { CreatePodCommand, DeletePodCommand } from '../contracts/pod.events.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { podNameFor, type PodRuntime } from '../ports/pod-runtime.port.js';

/** Text the simulated runtime reports as the execution's output, so nobody mistakes it for a real run. */
export const SIMULATED_STDOUT = 'simulated runtime: the script was not executed\n';
const CONTAINER_NAME = 'executor';
const CLOCK_TICKS_PER_SECOND = 100;

interface SimulatedRun {
  timer: NodeJS.Timeout;
  startedAt: number;
}

/**
 * Stands in for Kubernetes in standalone mode: each create command "runs" for a fixed time and
 * then completes; a delete command ends the run early without a completion. Commands repeated
 * for an execution that runs, or finished less than `finishedKeepMs` ago, are ignored, as the
 * real runtime ignores a pod that exists (finished pods stay for K8S_FINISHED_POD_TTL_SECONDS).
 */
export class SimulatedPodRuntime implements PodRuntime, OnApplicationShutdown {
  private readonly logger = new Logger(SimulatedPodRuntime.name);
  private readonly runs = new Map<string, SimulatedRun>();
  /** Finished executions and when their "pod" goes, oldest first (all are kept equally long). */
  private readonly finished = new Map<string, number>();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly source: EventSource,
    private readonly namespace: string,
    private readonly runMs: number,
    private readonly finishedKeepMs = 0,
  ) {}

  get runningCount(): number {
    return this.runs.size;
  }

  async createPod(command: CreatePodCommand): Promise<void> {
    const executionId = command.execution_id;
    if (this.runs.has(executionId) || this.finishedRecently(executionId)) return;
    const origin: EventOrigin = { userId: command.metadata.user_id, environment: command.metadata.environment };
    const podName = podNameFor(executionId);
    const startedAt = Date.now();
    const timer = setTimeout(() => void this.complete(executionId, origin, startedAt), this.runMs);
    this.runs.set(executionId, { timer, startedAt });
    await this.publisher.publish(
      createEvent(EventType.PodCreated, { execution_id: executionId, pod_name: podName, namespace: this.namespace }, origin, this.source, new Date()),
    );
    await this.publisher.publish(
      createEvent(
        EventType.PodRunning,
        {
          execution_id: executionId,
          pod_name: podName,
          container_statuses: [{ name: CONTAINER_NAME, ready: true, restart_count: 0, state: 'running' }],
        },
        origin,
        this.source,
        new Date(),
      ),
    );
  }

  async deletePod(command: DeletePodCommand): Promise<void> {
    const run = this.runs.get(command.execution_id);
    if (!run) return;
    clearTimeout(run.timer);
    this.runs.delete(command.execution_id);
    this.logger.debug(`Stopped simulated run of ${command.execution_id}: ${command.reason}`);
  }

  private finishedRecently(executionId: string): boolean {
    const now = Date.now();
    for (const [id, goneAt] of this.finished) {
      if (goneAt > now) break;
      this.finished.delete(id);
    }
    return this.finished.has(executionId);
  }

  onApplicationShutdown(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
    this.runs.clear();
  }

  private async complete(executionId: string, origin: EventOrigin, startedAt: number): Promise<void> {
    if (!this.runs.delete(executionId)) return;
    if (this.finishedKeepMs > 0) this.finished.set(executionId, Date.now() + this.finishedKeepMs);
    const wallSeconds = (Date.now() - startedAt) / 1000;
    try {
      await this.publisher.publish(
        createEvent(
          EventType.ExecutionCompleted,
          {
            execution_id: executionId,
            exit_code: 0,
            resource_usage: {
              execution_time_wall_seconds: wallSeconds,
              cpu_time_jiffies: 0,
              clk_tck_hertz: CLOCK_TICKS_PER_SECOND,
              peak_memory_kb: 0,
            },
            stdout: SIMULATED_STDOUT,
            stderr: '',
          },
          origin,
          this.source,
          new Date(),
        ),
      );
    } catch (error) {
      this.logger.error(`Could not report completion of ${executionId}: ${(error as Error).message}`);
    }
  }
}
