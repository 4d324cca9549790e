/** How pending executions are ordered inside a priority level (`QUEUE_ORDER`). */
export const QUEUE_ORDERS = ['fifo', 'fair'] as const;

export type QueueOrder = (typeof QUEUE_ORDERS)[number];

/** The range of a user's weight under fair order (`PUT /api/v1/admin/queue/users/{user_id}`). */
export const MIN_USER_WEIGHT = 1;
export const MAX_USER_WEIGHT = 100;
