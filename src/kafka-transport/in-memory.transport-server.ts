import { Server, BaseRpcContext, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { WireCodec } from '../contracts/wire-codec.js';
import { deadLetterFor } from './dead-letter.js';
import type { DeliveredMessage, InMemoryBus } from './in-memory-bus.js';

/** Context handed to handlers alongside the decoded event. */
export class InMemoryContext extends BaseRpcContext<[DeliveredMessage]> {
  getMessage(): DeliveredMessage {
    return this.args[0];
  }
}

/**
 * A Nest transport strategy over the in-process bus: every `@EventPattern(eventType)` handler
 * consumes its event's topic. Messages are decoded and validated first; one that is invalid,
 * or whose handler fails, is written to the dead-letter topic and the consumer moves on.
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
      this.unsubscribers.push(this.bus.subscribe(this.codec.topicOf(pattern), this.consumerGroup, (message) => this.deliver(pattern, message)));
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

  private async deliver(pattern: string, message: DeliveredMessage): Promise<void> {
    const decoded = this.codec.decode(message.topic, message.key, message.value);
    if (!decoded.ok) {
      this.logger.warn(`Dead-lettering invalid message on ${message.topic}@${message.offset}: ${decoded.errors.join('; ')}`);
      this.bus.publish(deadLetterFor(message, 'invalid_message', decoded.errors, this.consumerGroup, this.topicPrefix, new Date()));
      return;
    }
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) return;
    try {
      const result = await handler(decoded.event, new InMemoryContext([message]));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (error) {
      const text = error instanceof Error ? error.message : JSON.stringify(error);
      this.logger.error(`Handler for ${message.topic}@${message.offset} failed; dead-lettering: ${text}`);
      this.bus.publish(deadLetterFor(message, 'handler_failed', [text], this.consumerGroup, this.topicPrefix, new Date()));
    }
  }
}
