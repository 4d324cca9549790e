import type { QueueOrder } from './fair-share.js';

/** The limits the coordinator enforces and its ordering policy (docs/design.md, section 3). */
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
  /**
   * How long an active execution keeps its slot without a terminal event or a sign of life
   * (pod created, scheduled, running). When it runs out the slot is reclaimed and the
   * execution reported as failed. Must exceed the longest execution timeout.
   */
  leaseSeconds: number;
  /**
   * How long a dispatch may stay unconfirmed (its `create_pod_command` not known to be
   * published) before another step publishes the command again. Covers a crash between
   * taking the slot and publishing.
   */
  dispatchGraceSeconds: number;
  /** How a level is ordered: arrival (fifo, the default) or weighted fair share between users. */
  queueOrder?: QueueOrder;
  /** Every this many seconds of waiting lift an execution one level, up to high; 0 or absent: no aging. */
  agingSeconds?: number;
  /** A user's weight under fair order until an operator sets another (default 1). */
  defaultUserWeight?: number;
}
