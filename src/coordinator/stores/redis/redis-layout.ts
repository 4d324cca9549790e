import type { QueueLimits } from '../../domain/queue-limits.js';

/**
 * The keys every call declares, in this order: the Lua binds them by these names (KEY_ORDER in
 * the generated prelude, see lua-prelude.ts). Declaring them lets a Cluster route each call and
 * lets Redis check that a call stays in its slot.
 */
export const KEY_NAMES = ['pending', 'exec', 'active', 'usage', 'recent', 'counters', 'fair', 'weights', 'arrivals', 'aging'] as const;

/**
 * The queue limits as the Lua reads them: one argument, these numbers joined by commas, each
 * whole. The Lua names the fields as here (LIMIT_FIELDS in the generated prelude).
 */
export const LIMIT_FIELDS: readonly (readonly [name: string, of: (limits: QueueLimits) => number])[] = [
  ['max_queue', (limits) => limits.maxQueueSize],
  ['max_per_user', (limits) => limits.maxExecutionsPerUser],
  ['stale_ms', (limits) => limits.staleTimeoutSeconds * 1000],
  ['recent_capacity', (limits) => limits.recentIdsCapacity],
  ['max_active', (limits) => limits.maxActiveExecutions],
  ['lease_ms', (limits) => limits.leaseSeconds * 1000],
  ['grace_ms', (limits) => limits.dispatchGraceSeconds * 1000],
  ['fair_order', (limits) => (limits.queueOrder === 'fair' ? 1 : 0)],
  ['aging_ms', (limits) => (limits.agingSeconds ?? 0) * 1000],
  ['default_weight', (limits) => limits.defaultUserWeight ?? 1],
];

/** The limits argument every call that needs the limits passes. */
export function limitsArgument(limits: QueueLimits): string {
  return LIMIT_FIELDS.map(([, of]) => String(Math.round(of(limits)))).join(',');
}
