import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type ExecutionLifecycleEvent, type ExecutionQueue, InjectExecutionQueue, OnExecutionEvent } from 'execution-queue';
import { Counter, register } from 'prom-client';

export type GradingState = 'queued' | 'running' | 'completed' | 'failed' | 'timeout' | 'lease_expired' | 'dispatch_failed' | 'cancelled' | 'expired' | 'rejected';

/** The platform's feature: a student's script is graded by running it through the queue. */
@Injectable()
export class GradingService {
  private readonly states = new Map<string, GradingState>();
  /** One of the platform's own metrics, on the same registry as the queue's. */
  private readonly submitted = new Counter({ name: 'platform_gradings_submitted_total', help: 'Gradings the platform asked for', registers: [register] });

  constructor(@InjectExecutionQueue() private readonly queue: ExecutionQueue) {}

  async grade(studentId: string, script: string): Promise<string> {
    const executionId = `grading-${randomUUID()}`;
    this.states.set(executionId, 'queued');
    await this.queue.submit({ execution_id: executionId, user_id: studentId, script, language: 'python', language_version: '3.11' });
    this.submitted.inc();
    return executionId;
  }

  stateOf(executionId: string): GradingState | undefined {
    return this.states.get(executionId);
  }

  /** The queue tells the platform what became of each grading. */
  @OnExecutionEvent('started', 'finished', 'cancelled', 'expired', 'rejected')
  follow(event: ExecutionLifecycleEvent): void {
    if (!this.states.has(event.execution_id) || event.type === 'accepted' || event.type === 'dispatched') return;
    const state: GradingState = event.type === 'started' ? 'running' : event.type === 'finished' ? event.outcome : event.type;
    this.states.set(event.execution_id, state);
  }
}
