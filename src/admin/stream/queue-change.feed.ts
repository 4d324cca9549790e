import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CHANGE_RELAY } from '../../execution-queue.constants.js';
import { ExecutionEvents } from '../../application/execution-events.service.js';
import type { ChangeRelay } from './change-relay.port.js';
import { frameOf, type QueueChange, type QueueChangeFrame } from './queue-change.js';

export type FrameListener = (frame: QueueChangeFrame) => void;

/**
 * Every change to the queue as a stream of frames, for the live streams: the executions'
 * lifecycle (from ExecutionEvents) and what operators do (recorded by the admin service). With a
 * relay (Redis store), frames go through it and every replica delivers every replica's
 * frames; without one, this process's frames are delivered directly. Listeners must not block.
 */
@Injectable()
export class QueueChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('QueueChangeFeed');
  /** This replica's name on its frames. */
  readonly origin = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  private seq = 0;
  private readonly listeners = new Set<FrameListener>();
  private stopListening?: () => void;

  constructor(
    private readonly events: ExecutionEvents,
    @Inject(CHANGE_RELAY) private readonly relay: ChangeRelay | null,
  ) {}

  async onModuleInit(): Promise<void> {
    this.stopListening = this.events.listen((event) => this.record(event));
    await this.relay?.subscribe((frame) => this.deliver(frame)).catch((error: Error) => {
      this.logger.warn(`Change relay unavailable (${error.message}); streams show this replica's changes only until it returns`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    await this.relay?.close();
  }

  /** Reports a change; returns at once (a relay publish runs in the background). */
  record(change: QueueChange): void {
    const seq = ++this.seq;
    // Without a relay nobody but this process's listeners can see it; under load, with none
    // connected, building frames was wasted work on every change.
    if (!this.relay && this.listeners.size === 0) return;
    const frame = frameOf(change, this.origin, seq);
    if (!this.relay) return this.deliver(frame);
    // When the relay cannot take it, this replica's own clients still see it.
    this.relay.publish(frame).catch(() => this.deliver(frame));
  }

  /** How many listeners are following the feed now (with none and no relay, no frames are built). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Starts telling `listener` of every frame; returns the function that stops it. */
  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private deliver(frame: QueueChangeFrame): void {
    for (const listener of this.listeners) {
      try {
        listener(frame);
      } catch (error) {
        this.logger.error(`A stream listener failed on ${frame.type}: ${(error as Error).message}`);
      }
    }
  }
}
