import type { AnyEvent } from '../../src/contracts/event-registry.js';
import type { EventPublisher } from '../../src/ports/event-publisher.port.js';

/** An in-memory EventPublisher that keeps what was published, optionally failing some types. */
export class RecordingPublisher implements EventPublisher {
  readonly events: AnyEvent[] = [];
  failingTypes = new Set<string>();
  /** While set, what runs after a send never runs (a replica that dies right after publishing). */
  confirmationsLost = false;

  async publish(event: AnyEvent): Promise<void> {
    if (this.failingTypes.has(event.event_type)) throw new Error(`broker refused ${event.event_type}`);
    this.events.push(event);
  }

  /** All or nothing, like one produce request: a failing type in the batch fails the whole batch. */
  async publishAll(events: AnyEvent[]): Promise<void> {
    const failing = events.find((event) => this.failingTypes.has(event.event_type));
    if (failing) throw new Error(`broker refused ${failing.event_type}`);
    this.events.push(...events);
  }

  async afterSent(task: () => Promise<void>): Promise<void> {
    if (!this.confirmationsLost) await task();
  }

  ofType<T extends AnyEvent['event_type']>(type: T): Extract<AnyEvent, { event_type: T }>[] {
    return this.events.filter((event) => event.event_type === type) as Extract<AnyEvent, { event_type: T }>[];
  }

  take(): AnyEvent[] {
    return this.events.splice(0);
  }
}
