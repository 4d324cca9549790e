import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { AnyEvent } from '../contracts/event-registry.js';
import type { WireCodec } from '../contracts/wire-codec.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type { OutboundMessage } from './in-memory.client-proxy.js';
import { isTransient } from './transient-error.js';

const MAX_BACKOFF_MS = 5000;

/**
 * Publishes events through whichever Nest client the transport provides. A transient failure
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

  async publish(event: AnyEvent): Promise<void> {
    const { topic, ...message } = this.codec.encode(event);
    for (let attempt = 1; ; attempt++) {
      try {
        await lastValueFrom(this.client.emit<unknown, OutboundMessage>(topic, message), { defaultValue: undefined });
        return;
      } catch (error) {
        if (!isTransient(error)) throw error;
        const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        this.logger.warn(`Publishing ${event.event_type} for ${event.execution_id} failed (attempt ${attempt}); retrying in ${backoff} ms: ${(error as Error).message}`);
        await this.sleep(backoff);
      }
    }
  }
}
