import type { Priority } from '../../../../contracts/priority.constants.js';
import type { ReprioritizeOutcome } from '../../../domain/coordinator-outcomes.js';
import type { Reply } from '../redis-reply.js';

/** reprioritize.lua's reply: 'moved' with the new position, 'not_pending' (active) or 'unknown'. */
export function decodeReprioritizeReply([kind, position]: Reply[], priority: Priority): ReprioritizeOutcome {
  if (kind === 'moved') return { kind, position: Number(position), priority };
  return kind === 'not_pending' ? { kind, state: 'active' } : { kind: 'unknown' };
}
