import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ErrorType, type Environment } from '../../contracts/error-type.constants.js';
import { createEvent, type EventOrigin, type EventSource } from '../../contracts/event-factory.js';
import { EventType } from '../../contracts/event-type.constants.js';
import type { AnyEvent } from '../../contracts/event-registry.js';
import type { CreatePodCommand, DeletePodCommand } from '../../contracts/pod.events.js';
import type { EventPublisher } from '../../ports/event-publisher.port.js';
import { podNameFor, type PodRuntime } from '../../ports/pod-runtime.port.js';
import { apiErrorCode, apiErrorMessage } from './api-errors.js';
import { Semaphore } from './semaphore.js';
import {
  configMapFor,
  ENVIRONMENT_ANNOTATION,
  EXECUTOR_SELECTOR,
  executionIdOf,
  podFor,
  REPORTED_ANNOTATION,
  USER_ANNOTATION,
  type PodManifestSettings,
} from './pod-manifest.js';
import { parseOutputFrames, reportedText, resourceUsageOf } from './pod-result.js';
import { podStateOf, terminatedStateOf, terminationReportOf, type PodState } from './pod-status.js';
import { shardSelector } from './pod-shards.js';
import { PodWatcher } from './pod-watcher.js';
import { ShardLeases } from './shard-leases.js';

export interface KubernetesRuntimeSettings extends PodManifestSettings {
  /** Most pod creations in flight at once. */
  maxConcurrentCreates: number;
  /** How long a finished pod is kept (for logs and debugging) before it is deleted. */
  finishedPodTtlSeconds: number;
  /** A worker that has not renewed its shard leases for this long loses them to another replica. */
  shardLeaseSeconds: number;
  /** Prefix of the shard Lease names; the replicas of one worker deployment share it. */
  shardLeaseGroup: string;
}

/**
 * Runs executions as pods on a real cluster: a ConfigMap with the script and the entrypoint
 * (owned by the pod, so the cluster removes it with the pod) and a locked-down pod per
 * `create_pod_command`. The entrypoint reports the program's output and figures (pod-result.ts). A watch on
 * the namespace's executor pods turns their transitions into the platform's events; each pod's
 * terminal event is published once and then recorded on the pod itself, so a restarted worker
 * does not report it again.
 */
export class KubernetesPodRuntime implements PodRuntime, OnApplicationShutdown {
  private readonly logger = new Logger(KubernetesPodRuntime.name);
  private readonly core: CoreV1Api;
  private readonly creations: Semaphore;
  /** Follows the pods of the shards this worker holds; replaced when they change. */
  private watcher: PodWatcher | undefined;
  private readonly leases: ShardLeases;
  private watching!: () => void;
  private readonly firstWatch = new Promise<void>((resolve) => (this.watching = resolve));
  /** Signs of life already announced per execution in this process (cheap to repeat after a restart). */
  private readonly announced = new Map<string, Set<PodState['kind']>>();
  /**
   * Executions whose terminal event this process published. Kept until the pod is deleted: a
   * list taken before the pod was marked can still deliver it unmarked.
   */
  private readonly reported = new Set<string>();
  private readonly cleanups = new Map<string, NodeJS.Timeout>();
  /**
   * Launches in flight in this process. The scheduler binds a pod within milliseconds, so the
   * watch can see it before pod_created is out; its events wait for the launch to finish.
   */
  private readonly launching = new Map<string, Promise<void>>();
  /** Most bytes of a container log read back: the entrypoint's two frames at the output limit. */
  private readonly logReadLimit: number;

  constructor(
    kubeConfig: KubeConfig,
    private readonly publisher: EventPublisher,
    private readonly source: EventSource,
    private readonly settings: KubernetesRuntimeSettings,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    // Both frames in base64 (4 bytes for 3), their header and end lines, and room to spare.
    this.logReadLimit = Math.ceil((settings.outputLimitBytes * 2 * 4) / 3) + 64 * 1024;
    this.creations = new Semaphore(settings.maxConcurrentCreates);
    this.leases = new ShardLeases(
      kubeConfig,
      {
        namespace: settings.namespace,
        shards: settings.shards,
        leaseSeconds: settings.shardLeaseSeconds,
        group: settings.shardLeaseGroup,
        // Unique per process: a restarted worker is a new member, never mistaken for its predecessor.
        identity: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      },
      (shards) => this.watchShards(kubeConfig, shards),
    );
  }

  /** Starts taking shard leases; the pods of the shards it gets are watched. */
  start(): void {
    this.leases.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // Handing the leases back stops the watch first, so another replica takes over at once.
    await this.leases.stop();
    for (const timer of this.cleanups.values()) clearTimeout(timer);
    this.cleanups.clear();
  }

  /** Resolves once a watch of this worker's shards has listed them (tests wait on it). */
  whenWatching(): Promise<void> {
    return this.firstWatch;
  }

  private async watchShards(kubeConfig: KubeConfig, shards: number[]): Promise<void> {
    await this.watcher?.stop();
    this.watcher = undefined;
    if (shards.length === 0) return;
    const watcher = new PodWatcher(
      kubeConfig,
      this.core,
      this.settings.namespace,
      (pod) => this.onPodChange(pod),
      (pod) => this.onPodDeleted(pod),
      shardSelector(EXECUTOR_SELECTOR, shards),
    );
    this.watcher = watcher;
    watcher.start();
    void watcher.whenListed().then(() => this.watching());
  }

  async createPod(command: CreatePodCommand): Promise<void> {
    const launch = this.creations.run(() => this.launch(command));
    this.launching.set(command.execution_id, launch.catch(() => undefined));
    try {
      await launch;
    } finally {
      this.launching.delete(command.execution_id);
    }
  }

  async deletePod(command: DeletePodCommand): Promise<void> {
    await this.deleteQuietly(podNameFor(command.execution_id), `deleting pod for ${command.execution_id} (${command.reason})`);
  }

  /**
   * The ConfigMap goes first, so the pod finds its volumes when it is scheduled; once the pod
   * exists it owns the ConfigMap, and the cluster's garbage collector removes both together.
   */
  private async launch(command: CreatePodCommand): Promise<void> {
    const namespace = this.settings.namespace;
    const origin: EventOrigin = { userId: command.metadata.user_id, environment: command.metadata.environment };
    const name = podNameFor(command.execution_id);
    try {
      await this.core.createNamespacedConfigMap({ namespace, body: configMapFor(command, this.settings) });
    } catch (error) {
      // 409: a repeated command, or a launch that stopped half way; the pod decides which.
      if (apiErrorCode(error) !== 409) return this.reportLaunchFailure(command, origin, `the API server refused the script's ConfigMap: ${apiErrorMessage(error)}`);
    }
    let pod: V1Pod;
    try {
      pod = await this.core.createNamespacedPod({ namespace, body: podFor(command, this.settings) });
    } catch (error) {
      if (apiErrorCode(error) === 409) {
        this.logger.debug(`Pod for ${command.execution_id} exists already; repeated command ignored`);
        return;
      }
      await this.deleteConfigMapQuietly(name);
      return this.reportLaunchFailure(command, origin, `the API server refused the pod: ${apiErrorMessage(error)}`);
    }
    await this.adoptConfigMap(pod);
    await this.publisher.publish(createEvent(EventType.PodCreated, { execution_id: command.execution_id, pod_name: name, namespace }, origin, this.source, new Date()));
  }

  /** Makes the pod the owner of its ConfigMap; if that fails, the worker's own cleanup still deletes it. */
  private async adoptConfigMap(pod: V1Pod): Promise<void> {
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid!, blockOwnerDeletion: false }];
    try {
      await this.core.patchNamespacedConfigMap(
        { name: pod.metadata!.name!, namespace: this.settings.namespace, body: { metadata: { ownerReferences } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      this.logger.warn(`Could not make pod ${pod.metadata!.name} the owner of its ConfigMap: ${apiErrorMessage(error)}`);
    }
  }

  private reportLaunchFailure(command: CreatePodCommand, origin: EventOrigin, message: string): Promise<void> {
    this.logger.warn(`Execution ${command.execution_id} could not start: ${message}`);
    return this.publisher.publish(
      createEvent(
        EventType.ExecutionFailed,
        { execution_id: command.execution_id, exit_code: -1, error_type: ErrorType.SystemError, error_message: message, resource_usage: null, stdout: '', stderr: '' },
        origin,
        this.source,
        new Date(),
      ),
    );
  }

  /** Called by the watch for every state of every executor pod, in order, possibly repeated. */
  private async onPodChange(pod: V1Pod): Promise<void> {
    const executionId = executionIdOf(pod);
    if (!executionId) return;
    await this.launching.get(executionId);
    if (pod.metadata?.annotations?.[REPORTED_ANNOTATION] || this.reported.has(executionId)) {
      this.scheduleCleanup(pod);
      return;
    }
    const state = podStateOf(pod);
    const seen = this.announced.get(executionId) ?? new Set();
    this.announced.set(executionId, seen);
    if (seen.has(state.kind)) return;
    seen.add(state.kind);
    const origin = originOf(pod);
    const podName = pod.metadata!.name!;
    if (state.kind === 'pending') return;
    if (state.kind === 'scheduled') {
      return this.publisher.publish(createEvent(EventType.PodScheduled, { execution_id: executionId, pod_name: podName, node_name: state.nodeName }, origin, this.source, new Date()));
    }
    if (state.kind === 'running') {
      const containers = (pod.status?.containerStatuses ?? []).map((container) => ({
        name: container.name,
        ready: container.ready,
        restart_count: container.restartCount,
        state: Object.keys(container.state ?? {})[0] ?? 'unknown',
      }));
      return this.publisher.publish(createEvent(EventType.PodRunning, { execution_id: executionId, pod_name: podName, container_statuses: containers }, origin, this.source, new Date()));
    }
    await this.publisher.publish(await this.terminalEvent(pod, executionId, state, origin));
    this.reported.add(executionId);
    this.announced.delete(executionId);
    await this.markReported(pod, state.kind);
    this.scheduleCleanup(pod);
  }

  private onPodDeleted(pod: V1Pod): void {
    const executionId = executionIdOf(pod);
    if (!executionId) return;
    this.announced.delete(executionId);
    this.reported.delete(executionId);
    const cleanup = this.cleanups.get(pod.metadata!.name!);
    clearTimeout(cleanup);
    this.cleanups.delete(pod.metadata!.name!);
  }

  /**
   * The terminal event of a pod, with an event id derived from the pod (its uid) and its end: a
   * worker that dies after publishing and before marking the pod makes its successor publish it
   * again, and the repeat carries the same event id, so consumers can recognise it.
   */
  private async terminalEvent(pod: V1Pod, executionId: string, state: Extract<PodState, { kind: 'completed' | 'failed' | 'timeout' }>, origin: EventOrigin): Promise<AnyEvent> {
    const event = await this.terminalEventBody(pod, executionId, state, origin);
    event.event_id = stableEventId(`${pod.metadata?.uid ?? executionId}:${state.kind}`);
    return event;
  }

  private async terminalEventBody(pod: V1Pod, executionId: string, state: Extract<PodState, { kind: 'completed' | 'failed' | 'timeout' }>, origin: EventOrigin): Promise<AnyEvent> {
    const { stdout, stderr } = await this.outputOf(pod);
    const report = terminationReportOf(pod);
    const usage = report ? resourceUsageOf(report) : null;
    if (state.kind === 'completed') {
      return createEvent(EventType.ExecutionCompleted, { execution_id: executionId, exit_code: state.exitCode, resource_usage: usage, stdout, stderr }, origin, this.source, new Date());
    }
    if (state.kind === 'timeout') {
      const timeoutSeconds = pod.spec?.activeDeadlineSeconds ?? 0;
      return createEvent(EventType.ExecutionTimeout, { execution_id: executionId, timeout_seconds: timeoutSeconds, resource_usage: usage, stdout, stderr }, origin, this.source, new Date());
    }
    return createEvent(
      EventType.ExecutionFailed,
      { execution_id: executionId, exit_code: state.exitCode, error_type: state.errorType, error_message: state.message, resource_usage: usage, stdout, stderr },
      origin,
      this.source,
      new Date(),
    );
  }

  /**
   * The program's stdout and stderr, from the frames the entrypoint wrote to the container log.
   * A container that never ran (or never reached its report) has none: stderr says why.
   */
  private async outputOf(pod: V1Pod): Promise<{ stdout: string; stderr: string }> {
    if (!terminatedStateOf(pod)) return { stdout: '', stderr: '' };
    let log: string;
    try {
      log = await this.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: this.settings.namespace, limitBytes: this.logReadLimit });
    } catch (error) {
      return { stdout: '', stderr: `[execution-queue] container log unavailable: ${apiErrorMessage(error)}` };
    }
    const output = parseOutputFrames(log);
    if (!output) return { stdout: '', stderr: `[execution-queue] the container reported no output${log ? `; its log: ${log.slice(0, 2048)}` : ''}` };
    return { stdout: reportedText(output.stdout), stderr: reportedText(output.stderr) };
  }

  private async markReported(pod: V1Pod, kind: string): Promise<void> {
    try {
      await this.core.patchNamespacedPod(
        { name: pod.metadata!.name!, namespace: this.settings.namespace, body: { metadata: { annotations: { [REPORTED_ANNOTATION]: kind } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      // The event is out; at worst a restarted worker reports it again and the coordinator ignores the repeat.
      this.logger.warn(`Could not mark ${pod.metadata?.name} as reported: ${apiErrorMessage(error)}`);
    }
  }

  private scheduleCleanup(pod: V1Pod): void {
    const name = pod.metadata!.name!;
    if (this.cleanups.has(name)) return;
    const timer = setTimeout(() => {
      this.cleanups.delete(name);
      void this.deleteQuietly(name, 'removing a finished pod');
    }, this.settings.finishedPodTtlSeconds * 1000);
    timer.unref();
    this.cleanups.set(name, timer);
  }

  /** Deletes a pod and its ConfigMap (the garbage collector would too, once the ConfigMap is owned). */
  private async deleteQuietly(name: string, why: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name, namespace: this.settings.namespace, propagationPolicy: 'Background', gracePeriodSeconds: 0 });
    } catch (error) {
      if (apiErrorCode(error) !== 404) this.logger.warn(`Failed ${why}: ${apiErrorMessage(error)}`);
    }
    await this.deleteConfigMapQuietly(name);
  }

  private async deleteConfigMapQuietly(name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedConfigMap({ name, namespace: this.settings.namespace });
    } catch (error) {
      if (apiErrorCode(error) !== 404) this.logger.warn(`Failed removing the ConfigMap ${name}: ${apiErrorMessage(error)}`);
    }
  }
}

function originOf(pod: V1Pod): EventOrigin {
  const annotations = pod.metadata?.annotations ?? {};
  return { userId: annotations[USER_ANNOTATION] || null, environment: (annotations[ENVIRONMENT_ANNOTATION] as Environment | undefined) ?? 'production' };
}

/** A UUID (version 5 layout) that is always the same for the same name. */
function stableEventId(name: string): string {
  const hex = createHash('sha256').update(`execution-queue:${name}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
