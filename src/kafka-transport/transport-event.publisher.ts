import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { AnyEvent } from '../contracts/event-registry.js';
import type { WireCodec, WireMessage } from '../contracts/wire-codec.js';
import type { EventPublisher, PublishOptions } from '../ports/event-publisher.port.js';
import { PublishTimeoutError } from '../ports/publish-timeout.error.js';
import type { OutboundMessage } from './in-memory.client-proxy.js';
import { currentOutbox } from './publish-outbox.js';
import { isTransient } from '../ports/transient-error.js';

const MAX_BACKOFF_MS = 5000;

/** A client that can send messages for several topics in one request. */
export interface BatchCapableClient {
  dispatchBatch(messages: WireMessage[]): Promise<void>;
}

function isBatchCapable(client: object): client is BatchCapableClient {
  return typeof (client as Partial<BatchCapableClient>).dispatchBatch === 'function';
}

/**
 * Publishes events through whichever Nest client the transport provides. Inside a consumer
 * batch's outbox (Kafka transport) events are only collected, and the batch sends them together
 * before committing. Otherwise a send happens at once; a transient failure
 * (the broker away) is retried here with backoff until it succeeds, so the handler that
 * publishes simply takes longer: its message is not committed meanwhile, and its state change
 * is never repeated.
 */
export class TransportEventPublisher implements EventPublisher {
  private readonly logger = new Logger(TransportEventPublisher.name);

  constructor(
    private readonly client: ClientProxy,
    private readonly codec: WireCodec,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  publish(event: AnyEvent, options: PublishOptions = {}): Promise<void> {
    const outbox = currentOutbox();
    if (outbox) {
      outbox.add([this.codec.encode(event)]);
      return Promise.resolve();
    }
    const { topic, ...message } = this.codec.encode(event);
    return this.withRetries(
      `${event.event_type} for ${event.execution_id}`,
      () => lastValueFrom(this.client.emit<unknown, OutboundMessage>(topic, message), { defaultValue: undefined }),
      options.signal,
    );
  }

  async publishAll(events: AnyEvent[]): Promise<void> {
    const outbox = currentOutbox();
    if (outbox) {
      outbox.add(events.map((event) => this.codec.encode(event)));
      return;
    }
    if (events.length === 1) return this.publish(events[0]!);
    if (!isBatchCapable(this.client)) {
      for (const event of events) await this.publish(event);
      return;
    }
    await this.flush(events.map((event) => this.codec.encode(event)));
  }

  async afterSent(task: () => Promise<void>): Promise<void> {
    const outbox = currentOutbox();
    if (outbox) outbox.afterSent.push(task);
    else await task();
  }

  /** Sends what an outbox collected, in order, riding out transient failures. */
  async flush(messages: WireMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!isBatchCapable(this.client)) throw new Error('The transport client cannot send batches');
    const client = this.client;
    await this.withRetries(`${messages.length} events`, () => client.dispatchBatch(messages));
  }

  /**
   * Sends until it succeeds, pausing longer after each transient failure. With a signal, gives
   * up when it aborts, even in the middle of a send (which may still arrive later).
   */
  private async withRetries(what: string, send: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await untilAborted(send(), signal, what);
        return;
      } catch (error) {
        if (!isTransient(error)) throw error;
        const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        this.logger.warn(`Publishing ${what} failed (attempt ${attempt}); retrying in ${backoff} ms: ${(error as Error).message}`);
        await untilAborted(this.sleep(backoff), signal, what);
      }
    }
  }
}

/** `work`, or a PublishTimeoutError as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new PublishTimeoutError(what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(new PublishTimeoutError(what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
