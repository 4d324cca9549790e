import type { UserUsage } from '../../../domain/coordinator-state.js';
import type { Reply } from '../redis-reply.js';

/** user-usage.lua's reply: pending, active. */
export function decodeUserUsageReply([pending, active]: Reply[]): UserUsage {
  return { pending: Number(pending), active: Number(active) };
}
