/** The human-readable texts of the coordinator's refusals; other services show them to users. */
export const RejectionMessages = {
  queueFull: (maxQueueSize: number) => `Execution queue is full (max_queue_size ${maxQueueSize}); try again later`,
  userLimit: (limit: number) =>
    `Per-user execution limit reached: max_executions_per_user is ${limit} pending or running executions`,
  expiredInQueue: (staleTimeoutSeconds: number) =>
    `Execution expired in the queue after waiting more than ${staleTimeoutSeconds} seconds (stale_timeout_seconds)`,
  dispatchFailed: (reason: string) => `Could not dispatch the execution to the pod worker: ${reason}`,
  leaseExpired: (leaseSeconds: number) =>
    `Execution lost: no result and no sign of life from its pod for ${leaseSeconds} seconds (lease_seconds); its slot was reclaimed`,
} as const;
