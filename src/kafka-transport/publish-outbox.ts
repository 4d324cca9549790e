import { AsyncLocalStorage } from 'node:async_hooks';
import type { WireMessage } from '../contracts/wire-codec.js';

/**
 * Events published while a consumer batch is being handled. The Kafka transport runs each
 * batch inside an outbox and sends what collected in one produce request before it commits the
 * batch's offsets, instead of one round trip per handled message. Events keep the order in
 * which handlers published them.
 */
export class PublishOutbox {
  readonly messages: WireMessage[] = [];
  /** Work that must wait until the collected messages are sent (see EventPublisher.afterSent). */
  readonly afterSent: (() => Promise<void>)[] = [];
  private closed = false;

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Ends collection. Work started inside the batch that outlives it (a timer, say) inherits the
   * async context; once the outbox is closed its publishes are sent directly again.
   */
  close(): void {
    this.closed = true;
  }

  add(messages: WireMessage[]): void {
    this.messages.push(...messages);
  }

  take(): { messages: WireMessage[]; afterSent: (() => Promise<void>)[] } {
    return { messages: this.messages.splice(0), afterSent: this.afterSent.splice(0) };
  }
}

const storage = new AsyncLocalStorage<PublishOutbox>();

/** Runs `work` with `outbox` collecting every publish made inside it. */
export function withOutbox<T>(outbox: PublishOutbox, work: () => Promise<T>): Promise<T> {
  return storage.run(outbox, work);
}

/** The outbox of the batch being handled, if one is collecting. */
export function currentOutbox(): PublishOutbox | undefined {
  const outbox = storage.getStore();
  return outbox?.isOpen ? outbox : undefined;
}
