import type { ActiveExecution, DispatchStep, IdleReason, QueuedExecution, ScheduleResult } from '../../../domain/coordinator-outcomes.js';
import type { StoredRequest } from '../../../queue-state-store.port.js';
import { activeSummaryOf, parseMeta, summaryOf } from '../redis-meta.js';
import type { Reply } from '../redis-reply.js';

/** A pending execution from its meta and request JSON as a reply carries them. */
export function queuedExecution(metaText: string, requestJson: string): QueuedExecution<StoredRequest> {
  const execution = summaryOf(parseMeta(metaText)) as QueuedExecution<StoredRequest>;
  execution.payload = JSON.parse(requestJson) as StoredRequest;
  return execution;
}

/** An active execution from its meta and request JSON as a reply carries them. */
export function activeExecution(metaText: string, requestJson: string): ActiveExecution<StoredRequest> {
  const execution = activeSummaryOf(parseMeta(metaText)) as ActiveExecution<StoredRequest>;
  execution.payload = JSON.parse(requestJson) as StoredRequest;
  return execution;
}

/** Meta, request pairs of pending executions (the stale ones an admission swept). */
export function queuedPairs(flat: Reply[]): QueuedExecution<StoredRequest>[] {
  const executions: QueuedExecution<StoredRequest>[] = [];
  for (let i = 0; i < flat.length; i += 2) executions.push(queuedExecution(flat[i] as string, flat[i + 1] as string));
  return executions;
}

/** schedule.lua's reply, or the scheduling run an admission or release appended to its own: idle reason or '', then kind, meta, request per step. */
export function decodeScheduleReply([idle, ...steps]: Reply[]): ScheduleResult<StoredRequest> {
  const decoded: DispatchStep<StoredRequest>[] = [];
  for (let i = 0; i < steps.length; i += 3) {
    const kind = steps[i] as DispatchStep['kind'];
    const meta = steps[i + 1] as string;
    const request = steps[i + 2] as string;
    decoded.push(kind === 'expired' ? { kind, execution: queuedExecution(meta, request) } : { kind, execution: activeExecution(meta, request) });
  }
  return { steps: decoded, idle: idle === '' ? null : (idle as IdleReason) };
}
