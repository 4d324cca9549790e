import type { CreatePodCommand, DeletePodCommand } from '../contracts/pod.events.js';

/** Runs executions as pods (real or simulated) and reports their lifecycle as events. */
export interface PodRuntime {
  createPod(command: CreatePodCommand): Promise<void>;
  deletePod(command: DeletePodCommand): Promise<void>;
  /** Starts following the pods' lifecycle; called only in processes that run the worker role. */
  start?(): void;
}

/** Name of the pod (and its ConfigMap) that runs an execution. */
export function podNameFor(executionId: string): string {
  return `executor-${executionId}`;
}
