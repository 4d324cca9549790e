import { Server, BaseRpcContext, type CustomTransportStrategy } from '@nestjs/microservices';
import type { WireCodec } from '../contracts/wire-codec.js';
import { deadLetterFor } from './dead-letter.js';
import { handleInbound, rememberedHandlers, type InboundRoute } from './inbound-message.js';
import type { DeliveredMessage, InMemoryBus } from './in-memory-bus.js';

/** Context handed to handlers alongside the decoded event. */
export class InMemoryContext extends BaseRpcContext<[DeliveredMessage]> {
  getMessage(): DeliveredMessage {
    return this.args[0];
  }
}

/**
 * A Nest transport strategy over the in-process bus: every `@EventPattern(eventType)` handler
 * consumes its event's topic, each message taking the path of `handleInbound` (invalid or
 * failing messages are dead-lettered and the consumer moves on).
 */
export class InMemoryTransportServer extends Server implements CustomTransportStrategy {
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly bus: InMemoryBus,
    private readonly codec: WireCodec,
    private readonly consumerGroup = 'execution-queue',
    private readonly topicPrefix = '',
  ) {
    super();
  }

  listen(callback: () => void): void {
    for (const pattern of this.messageHandlers.keys()) {
      this.unsubscribers.push(this.bus.subscribe(this.codec.topicOf(pattern), this.consumerGroup, (message) => handleInbound(this.route, message)));
    }
    callback();
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  on(): void {
    // The bus has no connection events to report.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private readonly route: InboundRoute = {
    codec: this.codec,
    logger: this.logger,
    handlerFor: rememberedHandlers((eventType) => this.getHandlerByPattern(eventType)),
    contextFor: (message) => new InMemoryContext([message as DeliveredMessage]),
    deadLetter: (message, reason, errors) =>
      this.bus.publish(deadLetterFor(message, reason, errors, this.consumerGroup, this.topicPrefix, new Date())),
  };
}
