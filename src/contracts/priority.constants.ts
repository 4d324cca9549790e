/** Execution priorities, highest first. */
export const PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'] as const;

export type Priority = (typeof PRIORITIES)[number];

export const DEFAULT_PRIORITY: Priority = 'normal';

/** 0 for critical up to 4 for background: lower runs first. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}
