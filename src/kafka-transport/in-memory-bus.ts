import type { WireMessage } from '../contracts/wire-codec.js';
import { isTransient } from '../ports/transient-error.js';
import type { TransportRetrySource, TransportRetryStats } from '../ports/transport-retries.port.js';

/** A message as a consumer receives it: the wire message plus where it sat on its topic. */
export interface DeliveredMessage extends WireMessage {
  partition: number;
  offset: string;
}

export type MessageConsumer = (message: DeliveredMessage) => Promise<void>;

interface Subscription {
  readonly group: string;
  readonly consume: MessageConsumer;
  readonly backlog: DeliveredMessage[];
  running: boolean;
  closed: boolean;
  /** Failed attempts at the message at the head of the backlog, while it is being retried. */
  attempts: number;
  /** When the head message first failed (epoch ms), while it is being retried. */
  failingSince?: number;
  /** Wakes a retry wait early when the subscription closes. */
  wake?: () => void;
}

/** First retry after 100 ms, doubling up to 5 s between attempts. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * An in-process stand-in for a broker. Each consumer group subscribed to a topic gets every
 * message of it, one at a time and in publish order, like a single-partition topic. Delivery
 * is asynchronous: `publish` returns before any consumer runs, so publishers and consumers
 * interleave the way they do over Kafka.
 */
export class InMemoryBus implements TransportRetrySource {
  private readonly subscriptions = new Map<string, Subscription[]>();
  private readonly nextOffsets = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private retriesTotal = 0;
  private lastError?: string;
  private consumed = false;

  /**
   * True for the first caller only: the one consumer of the module's handlers on this bus (the
   * module itself at bootstrap, or a transport strategy a host connected before that), so no
   * message is handled twice whichever of them starts first.
   */
  claimConsumption(): boolean {
    if (this.consumed) return false;
    this.consumed = true;
    return true;
  }

  subscribe(topic: string, group: string, consume: MessageConsumer): () => void {
    const subscription: Subscription = { group, consume, backlog: [], running: false, closed: false, attempts: 0 };
    const list = this.subscriptions.get(topic) ?? [];
    list.push(subscription);
    this.subscriptions.set(topic, list);
    return () => {
      subscription.closed = true;
      subscription.backlog.length = 0;
      subscription.wake?.();
      this.subscriptions.set(topic, (this.subscriptions.get(topic) ?? []).filter((other) => other !== subscription));
      this.notifyIfIdle();
    };
  }

  publish(message: WireMessage): void {
    const offset = this.nextOffsets.get(message.topic) ?? 0;
    this.nextOffsets.set(message.topic, offset + 1);
    const delivered: DeliveredMessage = { ...message, partition: 0, offset: String(offset) };
    for (const subscription of this.subscriptions.get(message.topic) ?? []) {
      subscription.backlog.push(delivered);
      this.pump(subscription);
    }
  }

  /** Resolves once no consumer has anything left to do (including what consumers publish). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(subscription: Subscription): void {
    if (subscription.running) return;
    subscription.running = true;
    setImmediate(() => void this.drain(subscription));
  }

  /**
   * Delivers the backlog in order. A transient failure (the state store away) keeps the message
   * at the head and tries it again after a growing pause, so nothing is lost and the group's
   * order holds, as a Kafka consumer that does not commit would. Consumers handle every other
   * failure themselves (dead letters); one that still escapes is dropped, never retried forever.
   */
  private async drain(subscription: Subscription): Promise<void> {
    while (!subscription.closed && subscription.backlog.length > 0) {
      try {
        await subscription.consume(subscription.backlog[0]!);
      } catch (error) {
        if (isTransient(error) && !subscription.closed) {
          await this.pauseBeforeRetry(subscription, error as Error);
          continue;
        }
      }
      subscription.backlog.shift();
      subscription.attempts = 0;
      subscription.failingSince = undefined;
    }
    subscription.running = false;
    this.notifyIfIdle();
  }

  /** How consumers are doing with retries: read by the ready probe and the metrics. */
  retryStats(): TransportRetryStats {
    let retrying = 0;
    let failingSince: number | undefined;
    for (const list of this.subscriptions.values()) {
      for (const subscription of list) {
        if (subscription.failingSince === undefined) continue;
        retrying++;
        failingSince = Math.min(failingSince ?? Infinity, subscription.failingSince);
      }
    }
    return { retrying, retriesTotal: this.retriesTotal, failingSince, lastError: this.lastError };
  }

  private async pauseBeforeRetry(subscription: Subscription, error: Error): Promise<void> {
    subscription.failingSince ??= Date.now();
    const delay = Math.min(FIRST_RETRY_MS * 2 ** subscription.attempts, MAX_RETRY_MS);
    subscription.attempts++;
    this.retriesTotal++;
    this.lastError = error.message;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      timer.unref();
      subscription.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    subscription.wake = undefined;
  }

  private isIdle(): boolean {
    for (const list of this.subscriptions.values()) {
      if (list.some((subscription) => subscription.running || subscription.backlog.length > 0)) return false;
    }
    return true;
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
