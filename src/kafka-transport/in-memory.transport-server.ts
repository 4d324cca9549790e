import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { WireCodec } from '../contracts/wire-codec.js';
import { rememberedHandlers } from './inbound-message.js';
import type { InMemoryBus } from './in-memory-bus.js';
import { IN_MEMORY_CONSUMER_GROUP, InProcessConsumer } from './in-process-consumer.js';

export { InMemoryContext } from './in-process-consumer.js';

/**
 * A Nest transport strategy over the in-process bus, for a host that connects one: every
 * `@EventPattern(eventType)` handler consumes its event's topic. The module consumes the bus by
 * itself at bootstrap when no strategy did so first (roles/in-process-consumption.service.ts); whichever
 * starts second leaves the consuming to the first.
 */
export class InMemoryTransportServer extends Server implements CustomTransportStrategy {
  private readonly consumer: InProcessConsumer;

  constructor(
    private readonly bus: InMemoryBus,
    codec: WireCodec,
    consumerGroup = IN_MEMORY_CONSUMER_GROUP,
    topicPrefix = '',
  ) {
    super();
    this.consumer = new InProcessConsumer(bus, codec, consumerGroup, topicPrefix);
  }

  listen(callback: () => void): void {
    if (this.bus.claimConsumption()) this.consumer.start(this.messageHandlers.keys(), rememberedHandlers((eventType) => this.getHandlerByPattern(eventType)));
    callback();
  }

  close(): void {
    this.consumer.stop();
  }

  on(): void {
    // The bus has no connection events to report.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }
}
