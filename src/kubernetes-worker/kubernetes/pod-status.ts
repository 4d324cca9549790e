import type { V1ContainerStateTerminated, V1Pod } from '@kubernetes/client-node';
import { ErrorType } from '../../contracts/error-type.constants.js';
import { parseTerminationMessage, type TerminationReport } from './pod-result.js';

type Failure = { kind: 'failed'; exitCode: number; errorType: ErrorType; message: string };

/** Where a pod stands, as far as the platform's events are concerned. */
export type PodState =
  | { kind: 'pending' }
  | { kind: 'scheduled'; nodeName: string }
  | { kind: 'running' }
  | { kind: 'completed'; exitCode: number }
  | Failure
  | { kind: 'timeout' };

/** Waiting reasons that mean the container will never start by itself. */
const STUCK_WAITING_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);
/** Reasons a container ended without the program ever running. */
const NEVER_STARTED_REASONS = new Set(['StartError', 'ContainerCannotRun']);

/** The executor container's end, when it has ended. */
export function terminatedStateOf(pod: V1Pod): V1ContainerStateTerminated | undefined {
  return pod.status?.containerStatuses?.[0]?.state?.terminated;
}

/** The entrypoint's report in the container's termination message, when it wrote one. */
export function terminationReportOf(pod: V1Pod): TerminationReport | undefined {
  return parseTerminationMessage(terminatedStateOf(pod)?.message);
}

/**
 * Reads a pod's status: phase, the container's state and reasons, and the entrypoint's report.
 * Exit 0 is completed, another exit code a script error, the deadline a timeout, a kill for
 * memory a resource limit, and a container that never ran a system error with the reason.
 */
export function podStateOf(pod: V1Pod): PodState {
  const status = pod.status ?? {};
  const terminated = terminatedStateOf(pod);
  switch (status.phase) {
    case 'Succeeded':
      return { kind: 'completed', exitCode: terminated?.exitCode ?? 0 };
    case 'Failed':
      if (status.reason === 'DeadlineExceeded') return { kind: 'timeout' };
      return failureOf(pod, terminated);
    case 'Running':
      return { kind: 'running' };
    default: {
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && STUCK_WAITING_REASONS.has(waiting.reason)) {
        return systemError(`The container cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`);
      }
      const nodeName = pod.spec?.nodeName;
      return nodeName ? { kind: 'scheduled', nodeName } : { kind: 'pending' };
    }
  }
}

function failureOf(pod: V1Pod, terminated: V1ContainerStateTerminated | undefined): Failure {
  const status = pod.status ?? {};
  if (status.reason === 'Evicted' || !terminated) {
    const why = [status.reason, status.message].filter(Boolean).join(': ') || 'the pod failed before its container ran';
    // The node evicts a pod whose volumes outgrow their size limit (output beyond K8S_OUTPUT_VOLUME_SIZE).
    const errorType = status.reason === 'Evicted' && /ephemeral|local storage|volume/i.test(status.message ?? '') ? ErrorType.ResourceLimit : ErrorType.SystemError;
    return { kind: 'failed', exitCode: terminated?.exitCode ?? -1, errorType, message: `Pod failed: ${why}` };
  }
  const exitCode = terminated.exitCode;
  const report = parseTerminationMessage(terminated.message);
  // The runtime names the container OOMKilled when its memory cgroup killed a process; the
  // entrypoint counts the same kills, which covers a runtime that reports the reason differently.
  if (terminated.reason === 'OOMKilled' || ((report?.oomKills ?? 0) > 0 && exitCode !== 0)) {
    return { kind: 'failed', exitCode, errorType: ErrorType.ResourceLimit, message: 'The program was killed for exceeding its memory limit (OOMKilled)' };
  }
  if (terminated.reason && NEVER_STARTED_REASONS.has(terminated.reason)) {
    return systemError(`The container never started: ${terminated.reason}${terminated.message && !report ? `: ${terminated.message}` : ''}`, exitCode);
  }
  if (exitCode !== 0) {
    return { kind: 'failed', exitCode, errorType: ErrorType.ScriptError, message: `The script exited with code ${exitCode}` };
  }
  return systemError(`Pod failed: ${status.reason ?? 'unknown reason'}`, exitCode);
}

function systemError(message: string, exitCode = -1): Failure {
  return { kind: 'failed', exitCode, errorType: ErrorType.SystemError, message };
}
