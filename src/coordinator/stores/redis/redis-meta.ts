import { PRIORITIES, type Priority } from '../../../contracts/priority.constants.js';
import type { ActiveSummary, ExecutionSummary } from '../../domain/coordinator-outcomes.js';

/** An execution's meta as the scripts keep it (see encode_meta in lua/common.lua). */
export interface StoredMeta {
  state: 'p' | 'a';
  priorityRank: number;
  enqueuedAt: number;
  executionId: string;
  userId: string;
  /** Only while active. */
  dispatchedAt?: number;
  sagaId?: string;
}

const FIELDS_BEFORE_USER = 8;

/** Reads `s|p|e|q|d|o|g|i|u`; the user id is last because it alone may contain '|'. */
export function parseMeta(text: string): StoredMeta {
  const fields = text.split('|');
  if (fields.length <= FIELDS_BEFORE_USER || (fields[0] !== 'p' && fields[0] !== 'a')) throw new Error(`Unreadable execution meta in Redis: ${text.slice(0, 80)}`);
  const [state, rank, enqueued, , dispatched, , saga, executionId] = fields;
  return {
    state: state as 'p' | 'a',
    priorityRank: Number(rank),
    enqueuedAt: Number(enqueued),
    executionId: executionId!,
    userId: fields.slice(FIELDS_BEFORE_USER).join('|'),
    ...(state === 'a' ? { dispatchedAt: Number(dispatched), sagaId: saga! } : {}),
  };
}

// Object literals rather than spreads: these run several times per scheduling cycle.
export function summaryOf(meta: StoredMeta): ExecutionSummary {
  return { executionId: meta.executionId, userId: meta.userId, priority: PRIORITIES[meta.priorityRank]!, enqueuedAt: meta.enqueuedAt };
}

export function activeSummaryOf(meta: StoredMeta): ActiveSummary {
  return {
    executionId: meta.executionId,
    userId: meta.userId,
    priority: PRIORITIES[meta.priorityRank]!,
    enqueuedAt: meta.enqueuedAt,
    dispatchedAt: meta.dispatchedAt!,
    sagaId: meta.sagaId!,
  };
}

/** The level a pending execution waits in, when aging lifted it above its priority (as the in-memory store reports it). */
export function liftedLevel(priority: Priority, level: number): Priority | undefined {
  const effective = PRIORITIES[level]!;
  return effective === priority ? undefined : effective;
}
