import type { AnyEvent } from '../contracts/event-registry.js';

/** Sends events to their topics. Resolves once the transport has accepted the events. */
export interface EventPublisher {
  publish(event: AnyEvent): Promise<void>;
  /** Sends several events at once (one broker round trip where the transport can); in order per key. */
  publishAll(events: AnyEvent[]): Promise<void>;
  /**
   * Runs `task` once everything published so far in this context has really been sent. Inside
   * a consumer batch that collects its publishes, that is after the batch's send (and before
   * its commit); elsewhere, right away. Used to record "command sent" only when it is true.
   */
  afterSent(task: () => Promise<void>): Promise<void>;
}
