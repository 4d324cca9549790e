import type { V1Pod } from '@kubernetes/client-node';
import { ErrorType } from '../../contracts/error-type.constants.js';

/** Where a pod stands, as far as the platform's events are concerned. */
export type PodState =
  | { kind: 'pending' }
  | { kind: 'scheduled'; nodeName: string }
  | { kind: 'running' }
  | { kind: 'completed'; exitCode: number }
  | { kind: 'failed'; exitCode: number; errorType: ErrorType; message: string }
  | { kind: 'timeout' };

/** Waiting reasons that mean the pod will never start by itself. */
const STUCK_WAITING_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'ErrImageNeverPull']);

/** Reads a pod's status: phase, the container's state and the reasons Kubernetes gives. */
export function podStateOf(pod: V1Pod): PodState {
  const status = pod.status ?? {};
  const container = status.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  switch (status.phase) {
    case 'Succeeded':
      return { kind: 'completed', exitCode: terminated?.exitCode ?? 0 };
    case 'Failed': {
      if (status.reason === 'DeadlineExceeded') return { kind: 'timeout' };
      const exitCode = terminated?.exitCode ?? -1;
      if (terminated?.reason === 'OOMKilled') {
        return { kind: 'failed', exitCode, errorType: ErrorType.ResourceLimit, message: 'The container was killed for exceeding its memory limit (OOMKilled)' };
      }
      if (status.reason === 'Evicted' || !terminated) {
        const why = [status.reason, status.message].filter(Boolean).join(': ') || 'the pod failed before its container ran';
        return { kind: 'failed', exitCode, errorType: ErrorType.SystemError, message: `Pod failed: ${why}` };
      }
      if (terminated.exitCode !== 0) {
        return { kind: 'failed', exitCode, errorType: ErrorType.ScriptError, message: `The script exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}` };
      }
      return { kind: 'failed', exitCode, errorType: ErrorType.SystemError, message: `Pod failed: ${status.reason ?? 'unknown reason'}` };
    }
    case 'Running':
      return { kind: 'running' };
    default: {
      const waiting = container?.state?.waiting;
      if (waiting?.reason && STUCK_WAITING_REASONS.has(waiting.reason)) {
        return { kind: 'failed', exitCode: -1, errorType: ErrorType.SystemError, message: `The container cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
      }
      const nodeName = pod.spec?.nodeName;
      return nodeName ? { kind: 'scheduled', nodeName } : { kind: 'pending' };
    }
  }
}
