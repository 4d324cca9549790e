import { randomUUID } from 'node:crypto';
import type { ExecutionRequestPayload } from '../src/contracts/execution-request.fields.js';
import type { ExecutionRequestedEvent } from '../src/contracts/execution.events.js';
import type { Priority } from '../src/contracts/priority.constants.js';

/** The execution-specific fields of a typical small Python request, as the benchmarks send it. */
export function sampleRequestBody(executionId: string, priority: Priority = 'normal'): ExecutionRequestPayload {
  return {
    execution_id: executionId,
    script: 'print("hello")',
    language: 'python',
    language_version: '3.11',
    runtime_image: 'python:3.11-slim',
    runtime_command: ['python', '/scripts/main.py'],
    runtime_filename: 'main.py',
    timeout_seconds: 60,
    cpu_limit: '500m',
    memory_limit: '256Mi',
    cpu_request: '100m',
    memory_request: '128Mi',
    priority,
  };
}

/** A whole `execution_requested` event (envelope and fields) for the benchmarks to send. */
export function sampleRequestEvent(executionId: string, userId: string, priority: Priority = 'normal'): ExecutionRequestedEvent {
  return {
    event_id: randomUUID(),
    event_type: 'execution_requested',
    event_version: '1.0',
    timestamp: new Date().toISOString(),
    aggregate_id: executionId,
    metadata: { service_name: 'bench', service_version: '1', user_id: userId, environment: 'test' },
    ...sampleRequestBody(executionId, priority),
  } as ExecutionRequestedEvent;
}
