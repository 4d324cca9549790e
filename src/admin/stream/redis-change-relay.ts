import type { Cluster, Redis } from 'ioredis';
import type { ChangeRelay } from './change-relay.port.js';
import type { QueueChangeFrame } from './queue-change.js';

type Connection = Redis | Cluster;

/**
 * Relays change frames through Redis pub/sub on one channel per queue (`<prefix>changes`): the
 * state store's Redis is already shared by every replica. Pub/sub keeps no history: a replica
 * that is disconnected misses what is published meanwhile (its clients get the next status
 * frame and can read the pages again).
 */
export class RedisChangeRelay implements ChangeRelay {
  private readonly channel: string;

  /** `publisher` and `subscriber` are connections of the relay's own; `close` ends both. */
  constructor(
    private readonly publisher: Connection,
    private readonly subscriber: Connection,
    keyPrefix: string,
  ) {
    this.channel = `${keyPrefix}changes`;
    publisher.on('error', () => undefined);
    subscriber.on('error', () => undefined);
  }

  async publish(frame: QueueChangeFrame): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(frame));
  }

  async subscribe(onFrame: (frame: QueueChangeFrame) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        onFrame(JSON.parse(message) as QueueChangeFrame);
      } catch {
        // Only this service publishes on the channel; a frame that does not parse is skipped.
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
