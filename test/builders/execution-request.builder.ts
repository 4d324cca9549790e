import { randomUUID } from 'node:crypto';
import type { Priority } from '../../src/contracts/priority.constants.js';
import { ExecutionRequestedEvent } from '../../src/contracts/execution.events.js';

/** Test data for `execution_requested`, in the exact wire shape. */
export class ExecutionRequestBuilder {
  private fields: Record<string, unknown> = {
    event_id: randomUUID(),
    event_type: 'execution_requested',
    event_version: '1.0',
    timestamp: '2026-11-26T13:25:59.225100Z',
    aggregate_id: null,
    metadata: { service_name: 'api', service_version: '1.0.0', user_id: 'user-1', environment: 'test' },
    execution_id: randomUUID(),
    script: 'print("hello")',
    language: 'python',
    language_version: '3.11',
    runtime_image: 'python:3.11-slim',
    runtime_command: ['python', '/scripts/main.py'],
    runtime_filename: 'main.py',
    timeout_seconds: 30,
    cpu_limit: '500m',
    memory_limit: '256Mi',
    cpu_request: '100m',
    memory_request: '128Mi',
    priority: 'normal',
  };

  withId(executionId: string): this {
    this.fields.execution_id = executionId;
    this.fields.aggregate_id = executionId;
    return this;
  }

  withUser(userId: string): this {
    this.fields.metadata = { ...(this.fields.metadata as object), user_id: userId };
    return this;
  }

  withPriority(priority: Priority): this {
    this.fields.priority = priority;
    return this;
  }

  with(field: string, value: unknown): this {
    this.fields[field] = value;
    return this;
  }

  without(field: string): this {
    delete this.fields[field];
    return this;
  }

  /** The plain JSON object, as another service would put it on the wire. */
  toJson(): Record<string, unknown> {
    return structuredClone(this.fields);
  }

  build(): ExecutionRequestedEvent {
    return Object.assign(new ExecutionRequestedEvent(), this.toJson());
  }
}

export function anExecutionRequest(): ExecutionRequestBuilder {
  return new ExecutionRequestBuilder();
}
