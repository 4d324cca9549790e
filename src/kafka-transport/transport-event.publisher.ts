import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { AnyEvent } from '../contracts/event-registry.js';
import type { WireCodec } from '../contracts/wire-codec.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type { OutboundMessage } from './in-memory.client-proxy.js';

/** Publishes events through whichever Nest client the transport provides. */
export class TransportEventPublisher implements EventPublisher {
  constructor(
    private readonly client: ClientProxy,
    private readonly codec: WireCodec,
  ) {}

  async publish(event: AnyEvent): Promise<void> {
    const { topic, ...message } = this.codec.encode(event);
    await lastValueFrom(this.client.emit<unknown, OutboundMessage>(topic, message), { defaultValue: undefined });
  }
}
