import type { ExecutionLookup } from '../../../domain/coordinator-state.js';
import type { StoredRequest } from '../../../queue-state-store.port.js';
import { liftedLevel } from '../redis-meta.js';
import type { Reply } from '../redis-reply.js';
import { activeExecution, queuedExecution } from './schedule.reply.js';

/** lookup.lua's reply: nothing for an unknown id, else meta, request, position (-1 active) and level. */
export function decodeLookupReply(reply: Reply[]): ExecutionLookup<StoredRequest> | undefined {
  if (reply.length === 0) return undefined;
  const [meta, request, position, level] = reply as [string, string, number, number];
  if (position < 0) return { state: 'active', execution: activeExecution(meta, request) };
  const execution = queuedExecution(meta, request);
  return { state: 'pending', execution, position, effectivePriority: liftedLevel(execution.priority, level) };
}
