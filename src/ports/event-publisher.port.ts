import type { AnyEvent } from '../contracts/event-registry.js';

/** Sends events to their topics. Resolves once the transport has accepted the events. */
export interface EventPublisher {
  publish(event: AnyEvent): Promise<void>;
  /** Sends several events at once (one broker round trip where the transport can); in order per key. */
  publishAll(events: AnyEvent[]): Promise<void>;
}
