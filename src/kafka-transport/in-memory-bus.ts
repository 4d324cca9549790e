import type { WireMessage } from '../contracts/wire-codec.js';

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
}

/**
 * An in-process stand-in for a broker. Each consumer group subscribed to a topic gets every
 * message of it, one at a time and in publish order, like a single-partition topic. Delivery
 * is asynchronous: `publish` returns before any consumer runs, so publishers and consumers
 * interleave the way they do over Kafka.
 */
export class InMemoryBus {
  private readonly subscriptions = new Map<string, Subscription[]>();
  private readonly nextOffsets = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];

  subscribe(topic: string, group: string, consume: MessageConsumer): () => void {
    const subscription: Subscription = { group, consume, backlog: [], running: false, closed: false };
    const list = this.subscriptions.get(topic) ?? [];
    list.push(subscription);
    this.subscriptions.set(topic, list);
    return () => {
      subscription.closed = true;
      subscription.backlog.length = 0;
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

  private async drain(subscription: Subscription): Promise<void> {
    while (!subscription.closed && subscription.backlog.length > 0) {
      const message = subscription.backlog.shift()!;
      try {
        await subscription.consume(message);
      } catch {
        // Consumers own their error handling (dead letters); the bus never stops on one.
      }
    }
    subscription.running = false;
    this.notifyIfIdle();
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
