import { PRIORITIES } from '../../../../contracts/priority.constants.js';
import type { AdmissionOutcome, AdmissionRefusal, DuplicateOutcome } from '../../../domain/coordinator-outcomes.js';
import type { Scheduled, StoredRequest } from '../../../queue-state-store.port.js';
import type { Reply } from '../redis-reply.js';
import { decodeScheduleReply, queuedPairs } from './schedule.reply.js';

/** An accepted admission's reply starts 'accepted', position, passable, swept pair count. */
const ACCEPTED_HEAD = 4;

/** The limits a refusal reports. */
export interface RefusalLimits {
  maxQueueSize: number;
  maxExecutionsPerUser: number;
}

/**
 * One admission's reply (library/admit-one.lua); with `scheduled`, an accepted one carries the
 * scheduling run it made after the swept executions.
 */
export function decodeAdmitReply(reply: Reply[], limits: RefusalLimits, scheduled: boolean): Scheduled<AdmissionOutcome<StoredRequest>> {
  switch (reply[0]) {
    case 'duplicate':
      return duplicateOf(reply);
    case 'user_limit': {
      const [, current, ...swept] = reply;
      return { kind: 'user_limit', limit: limits.maxExecutionsPerUser, current: Number(current), expired: queuedPairs(swept) };
    }
    case 'queue_full':
      return { kind: 'queue_full', maxQueueSize: limits.maxQueueSize, expired: queuedPairs(reply.slice(1)) };
    default: {
      const [, position, passable, sweptCount] = reply;
      const sweptEnd = ACCEPTED_HEAD + 2 * Number(sweptCount);
      const outcome = { kind: 'accepted' as const, position: Number(position), passable: passable === 1, expired: queuedPairs(reply.slice(ACCEPTED_HEAD, sweptEnd)) };
      return scheduled ? { ...outcome, scheduled: decodeScheduleReply(reply.slice(sweptEnd)) } : outcome;
    }
  }
}

function duplicateOf([, state, detail, rank]: Reply[]): DuplicateOutcome {
  if (state === 'pending') return { kind: 'duplicate', state, position: Number(detail), priority: PRIORITIES[Number(rank)]! };
  if (state === 'refused') return { kind: 'duplicate', state, refusal: detail as AdmissionRefusal };
  return { kind: 'duplicate', state: state as 'active' | 'finished' };
}
