import { Logger } from '@nestjs/common';
import { BaseRpcContext, type MessageHandler } from '@nestjs/microservices';
import type { WireCodec } from '../contracts/wire-codec.js';
import { deadLetterFor } from './dead-letter.js';
import type { DeliveredMessage, InMemoryBus } from './in-memory-bus.js';
import { handleInbound, type InboundRoute } from './inbound-message.js';

/** Consumer group of the module's handlers on the in-process bus. */
export const IN_MEMORY_CONSUMER_GROUP = 'execution-queue';

/** Context handed to handlers alongside the decoded event. */
export class InMemoryContext extends BaseRpcContext<[DeliveredMessage]> {
  getMessage(): DeliveredMessage {
    return this.args[0];
  }
}

/**
 * Consumes the in-process bus for a set of event handlers: each event type's topic, each message
 * taking the path of `handleInbound` (invalid or failing messages are dead-lettered and the
 * consumer moves on; transient failures are retried by the bus).
 */
export class InProcessConsumer {
  private readonly logger = new Logger('InProcessConsumer');
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly bus: InMemoryBus,
    private readonly codec: WireCodec,
    private readonly consumerGroup: string,
    private readonly topicPrefix: string,
  ) {}

  start(eventTypes: Iterable<string>, handlerFor: (eventType: string) => MessageHandler | null): void {
    const route: InboundRoute = {
      codec: this.codec,
      logger: this.logger,
      handlerFor,
      contextFor: (message) => new InMemoryContext([message as DeliveredMessage]),
      deadLetter: (message, reason, errors) => this.bus.publish(deadLetterFor(message, reason, errors, this.consumerGroup, this.topicPrefix, new Date())),
    };
    for (const eventType of eventTypes) {
      this.unsubscribers.push(this.bus.subscribe(this.codec.topicOf(eventType), this.consumerGroup, (message) => handleInbound(route, message)));
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }
}
