import type { AnyEvent } from '../contracts/event-registry.js';

/** Sends events to their topics. Resolves once the transport has accepted the event. */
export interface EventPublisher {
  publish(event: AnyEvent): Promise<void>;
}
