import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import type { CreatePodCommand } from '../../contracts/pod.events.js';
import { podNameFor } from '../../ports/pod-runtime.port.js';
import { SHARD_LABEL, shardOf } from './pod-shards.js';

/** Labels and annotations that mark what the service launched (the watch selects on them). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'execution-queue';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const EXECUTOR_COMPONENT = 'executor';
export const EXECUTION_ID_LABEL = 'execution-queue/execution-id';
export const USER_LABEL = 'execution-queue/user';
export const LANGUAGE_LABEL = 'execution-queue/language';
/** The full execution id; the label may hold a shortened form (label values are capped at 63 characters). */
export const EXECUTION_ID_ANNOTATION = 'execution-queue/execution-id';
export const SAGA_ANNOTATION = 'execution-queue/saga-id';
export const USER_ANNOTATION = 'execution-queue/user-id';
export const ENVIRONMENT_ANNOTATION = 'execution-queue/environment';
/** Set once the terminal event of the pod was published, so a restarted worker does not report it again. */
export const REPORTED_ANNOTATION = 'execution-queue/reported';
export const EXECUTOR_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY},${COMPONENT_LABEL}=${EXECUTOR_COMPONENT}`;

const CONTAINER = 'executor';
const MAX_LABEL_VALUE = 63;
const SCRIPTS_MOUNT = '/scripts';
/** The entrypoint has a folder of its own, so no script name can collide with it. */
const ENTRYPOINT_MOUNT = '/execution-queue';
const ENTRYPOINT_FILE = 'entrypoint.sh';
/** ConfigMap keys; the volumes map them to the script's own name and to the entrypoint's. */
const SCRIPT_KEY = 'script';
const ENTRYPOINT_KEY = 'entrypoint';
/** Time a stopped executor gets to report its output before it is killed. */
const TERMINATION_GRACE_SECONDS = 5;
/** Where the entrypoint keeps the program's output until it reports it (the output volume). */
const OUTPUT_MOUNT = '/output';

/** The entrypoint every executor pod runs (assets/entrypoint.sh; docs/design.md, "The pod contract"). */
export const ENTRYPOINT_SCRIPT = readFileSync(new URL('./assets/entrypoint.sh', import.meta.url), 'utf8');

/** What the manifest needs besides the command. */
export interface PodManifestSettings {
  namespace: string;
  /** Used when the command leaves a resource field empty. */
  defaults: { cpuLimit: string; memoryLimit: string; cpuRequest: string; memoryRequest: string };
  /** Size limits of the writable emptyDir volumes. */
  outputVolumeSize: string;
  tmpVolumeSize: string;
  /** How many worker shards pods are spread over (the shard label). */
  shards: number;
  /** Bytes of stdout and of stderr each that the entrypoint reports. */
  outputLimitBytes: number;
}

/**
 * Turns a label value into one Kubernetes accepts: at most 63 characters of [A-Za-z0-9-_.],
 * starting and ending alphanumeric. The exact user id stays in an annotation.
 */
export function toLabelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, MAX_LABEL_VALUE).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? 'unknown' : cleaned;
}

/**
 * The execution id as a label value: unchanged when it fits (ids are DNS-label characters), else
 * its first 46 characters, a dash and 16 hex digits of its SHA-256, so distinct ids stay distinct.
 */
export function executionIdLabelValue(executionId: string): string {
  if (executionId.length <= MAX_LABEL_VALUE) return executionId;
  const digest = createHash('sha256').update(executionId).digest('hex').slice(0, 16);
  return `${executionId.slice(0, MAX_LABEL_VALUE - digest.length - 1).replace(/-+$/, '')}-${digest}`;
}

/** The execution a pod runs: the annotation holds the full id (the label may be shortened). */
export function executionIdOf(pod: V1Pod): string | undefined {
  return pod.metadata?.annotations?.[EXECUTION_ID_ANNOTATION] ?? pod.metadata?.labels?.[EXECUTION_ID_LABEL];
}

/**
 * The ConfigMap with the script and the entrypoint. It is created before the pod (a pod whose
 * volume is missing waits for it) and owned by the pod once that exists.
 */
export function configMapFor(command: CreatePodCommand, settings: PodManifestSettings): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: podNameFor(command.execution_id), namespace: settings.namespace, labels: labelsFor(command, settings.shards) },
    data: { [SCRIPT_KEY]: command.script, [ENTRYPOINT_KEY]: ENTRYPOINT_SCRIPT },
  };
}

/** The locked-down pod that runs one execution. */
export function podFor(command: CreatePodCommand, settings: PodManifestSettings): V1Pod {
  const name = podNameFor(command.execution_id);
  const resource = (value: string, fallback: string) => (value.trim() === '' ? fallback : value);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: settings.namespace,
      labels: labelsFor(command, settings.shards),
      annotations: {
        [EXECUTION_ID_ANNOTATION]: command.execution_id,
        [SAGA_ANNOTATION]: command.saga_id,
        [USER_ANNOTATION]: command.metadata.user_id ?? '',
        [ENVIRONMENT_ANNOTATION]: command.metadata.environment,
      },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: Math.max(1, command.timeout_seconds),
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: CONTAINER,
          image: command.runtime_image,
          // The runtime command runs under the entrypoint, which reports its output and figures.
          command: ['/bin/sh', `${ENTRYPOINT_MOUNT}/${ENTRYPOINT_FILE}`, ...command.runtime_command],
          env: [
            { name: 'EQ_OUTPUT_LIMIT', value: String(settings.outputLimitBytes) },
            { name: 'EQ_OUTPUT_DIR', value: OUTPUT_MOUNT },
            { name: 'HOME', value: '/tmp' },
          ],
          workingDir: '/tmp',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            privileged: false,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          resources: {
            limits: { cpu: resource(command.cpu_limit, settings.defaults.cpuLimit), memory: resource(command.memory_limit, settings.defaults.memoryLimit) },
            requests: { cpu: resource(command.cpu_request, settings.defaults.cpuRequest), memory: resource(command.memory_request, settings.defaults.memoryRequest) },
          },
          volumeMounts: [
            { name: 'scripts', mountPath: SCRIPTS_MOUNT, readOnly: true },
            { name: 'entrypoint', mountPath: ENTRYPOINT_MOUNT, readOnly: true },
            { name: 'output', mountPath: OUTPUT_MOUNT },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'scripts', configMap: { name, defaultMode: 0o444, items: [{ key: SCRIPT_KEY, path: command.runtime_filename }] } },
        { name: 'entrypoint', configMap: { name, defaultMode: 0o444, items: [{ key: ENTRYPOINT_KEY, path: ENTRYPOINT_FILE }] } },
        { name: 'output', emptyDir: { sizeLimit: settings.outputVolumeSize } },
        { name: 'tmp', emptyDir: { sizeLimit: settings.tmpVolumeSize } },
      ],
    },
  };
}

function labelsFor(command: CreatePodCommand, shards: number): Record<string, string> {
  return {
    [SHARD_LABEL]: String(shardOf(command.execution_id, shards)),
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [COMPONENT_LABEL]: EXECUTOR_COMPONENT,
    [EXECUTION_ID_LABEL]: executionIdLabelValue(command.execution_id),
    [USER_LABEL]: toLabelValue(command.metadata.user_id ?? 'unknown'),
    [LANGUAGE_LABEL]: toLabelValue(command.language),
  };
}
