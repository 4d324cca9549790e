import type { Cluster, Redis } from 'ioredis';
import type { ChangeRelay } from './change-relay.port.js';
import type { QueueChangeFrame } from './queue-change.js';

type Connection = Redis | Cluster;

/**
 * Relays change frames through Redis pub/sub on one channel per queue (`<prefix>changes`): the
 * state store's Redis is already shared by every replica. Pub/sub keeps no history: a replica
 * that is disconnected misses what is published meanwhile (its clients get the next status
 * frame and can read the pages again).
 *
 * The frames of one event-loop turn go out as one message (a JSON array): a dispatch alone
 * makes several changes, and a command per change was the largest share of the coordinator's
 * socket writes under load. A single frame (an object) is still understood.
 */
export class RedisChangeRelay implements ChangeRelay {
  private readonly channel: string;
  private gathered: QueueChangeFrame[] = [];
  private sending?: Promise<void>;

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

  /** Resolves once the frame's turn was published; rejects (for every frame of it) if that failed. */
  publish(frame: QueueChangeFrame): Promise<void> {
    this.gathered.push(frame);
    this.sending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const frames = this.gathered;
      this.gathered = [];
      this.sending = undefined;
      await this.publisher.publish(this.channel, JSON.stringify(frames));
    });
    return this.sending;
  }

  async subscribe(onFrame: (frame: QueueChangeFrame) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const parsed = JSON.parse(message) as QueueChangeFrame | QueueChangeFrame[];
        for (const frame of Array.isArray(parsed) ? parsed : [parsed]) onFrame(frame);
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
