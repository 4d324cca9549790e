import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { WireMessage } from '../contracts/wire-codec.js';
import type { InMemoryBus } from './in-memory-bus.js';

/** The part of a wire message a client emits; the pattern is the topic. */
export type OutboundMessage = Omit<WireMessage, 'topic'>;

/** Nest client that emits events onto the in-process bus. Events only: no request-response. */
export class InMemoryClientProxy extends ClientProxy {
  constructor(private readonly bus: InMemoryBus) {
    super();
  }

  async connect(): Promise<void> {}

  close(): void {}

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('The in-memory transport carries events only'), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket<OutboundMessage>): Promise<T> {
    this.bus.publish({ topic: packet.pattern as string, ...packet.data });
    return undefined as T;
  }
}
