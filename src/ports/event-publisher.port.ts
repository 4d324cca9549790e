import type { AnyEvent } from '../contracts/event-registry.js';

/** How long a caller is willing to wait for a publish. */
export interface PublishOptions {
  /**
   * When it aborts, the publish stops retrying and rejects with PublishTimeoutError. A send
   * already on the wire may still arrive: the caller must treat the outcome as unknown.
   */
  signal?: AbortSignal;
}

/** Sends events to their topics. Resolves once the transport has accepted the events. */
export interface EventPublisher {
  publish(event: AnyEvent, options?: PublishOptions): Promise<void>;
  /** Sends several events at once (one broker round trip where the transport can); in order per key. */
  publishAll(events: AnyEvent[]): Promise<void>;
  /**
   * Runs `task` once everything published so far in this context has really been sent. Inside
   * a consumer batch that collects its publishes, that is after the batch's send (and before
   * its commit); elsewhere, right away. Used to record "command sent" only when it is true.
   * The tasks waiting on one send run at once, in no particular order.
   */
  afterSent(task: () => Promise<void>): Promise<void>;
}
