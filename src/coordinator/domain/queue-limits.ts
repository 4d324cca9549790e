/** The limits the coordinator enforces (DESIGN §4, §5). */
export interface QueueLimits {
  /** Most executions that may be pending at once. */
  maxQueueSize: number;
  /** Most pending plus active executions one user may have. */
  maxExecutionsPerUser: number;
  /** Pending longer than this and the execution is dropped instead of dispatched. */
  staleTimeoutSeconds: number;
  /** Most executions dispatched and not yet finished. */
  maxActiveExecutions: number;
  /** How many finished or rejected execution ids are remembered to ignore redeliveries. */
  recentIdsCapacity: number;
}
