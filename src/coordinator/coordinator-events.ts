import { type ErrorType } from '../contracts/error-type.constants.js';
import { createEvent, type EventOrigin, type EventSource } from '../contracts/event-factory.js';
import { EventType } from '../contracts/event-type.constants.js';
import { EXECUTION_REQUEST_FIELD_NAMES } from '../contracts/execution-request.fields.js';
import type { ExecutionAcceptedEvent, ExecutionFailedEvent, ExecutionRequestedEvent } from '../contracts/execution.events.js';
import type { CreatePodCommand, DeletePodCommand } from '../contracts/pod.events.js';
import { podNameFor } from '../ports/pod-runtime.port.js';
import type { ActiveExecution, ActiveSummary } from './domain/coordinator-outcomes.js';
import type { StoredRequest } from './queue-state-store.port.js';

/** Exit code reported for executions that never ran. */
export const NEVER_RAN_EXIT_CODE = -1;

/** Builds the events the coordinator publishes, stamped with this service's identity. */
export class CoordinatorEvents {
  constructor(
    private readonly source: EventSource,
    private readonly now: () => Date,
  ) {}

  accepted(request: StoredRequest, position: number, estimatedWaitMs: number | null = null): ExecutionAcceptedEvent {
    const estimatedWaitSeconds = estimatedWaitMs === null ? null : Math.round(estimatedWaitMs / 100) / 10;
    return createEvent(
      EventType.ExecutionAccepted,
      { execution_id: request.execution_id, queue_position: position, estimated_wait_seconds: estimatedWaitSeconds, priority: request.priority },
      originOf(request),
      this.source,
      this.now(),
    );
  }

  failed(request: StoredRequest, errorType: ErrorType, message: string): ExecutionFailedEvent {
    return createEvent(
      EventType.ExecutionFailed,
      {
        execution_id: request.execution_id,
        exit_code: NEVER_RAN_EXIT_CODE,
        error_type: errorType,
        error_message: message,
        resource_usage: null,
        stdout: '',
        stderr: '',
      },
      originOf(request),
      this.source,
      this.now(),
    );
  }

  /** The command carries the request's fields, with the priority the execution has now (it may have been moved). */
  createPod(execution: ActiveExecution<StoredRequest>): CreatePodCommand {
    const request = execution.payload;
    const fields: Record<string, unknown> = {};
    for (const name of EXECUTION_REQUEST_FIELD_NAMES) fields[name] = request[name];
    return createEvent(
      EventType.CreatePodCommand,
      { ...(fields as Pick<ExecutionRequestedEvent, (typeof EXECUTION_REQUEST_FIELD_NAMES)[number]>), priority: execution.priority, saga_id: execution.sagaId },
      originOf(request),
      this.source,
      this.now(),
      // One id per dispatch decision: a command published again (its first publication was
      // never confirmed) carries the same id, so consumers can tell the repeat.
      execution.sagaId,
    );
  }

  /** `origin`: the execution's request's (see originOf), which the command's metadata carries on. */
  deletePod(execution: ActiveSummary, origin: EventOrigin, reason: string, namespace: string): DeletePodCommand {
    return createEvent(
      EventType.DeletePodCommand,
      {
        saga_id: execution.sagaId,
        execution_id: execution.executionId,
        reason,
        pod_name: podNameFor(execution.executionId),
        namespace,
      },
      origin,
      this.source,
      this.now(),
    );
  }
}

/** Who and which environment an execution's events speak for: those of its request. */
export function originOf(request: StoredRequest): EventOrigin {
  return { userId: request.metadata.user_id, environment: request.metadata.environment };
}

