import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionQueueOptions } from '../../config/execution-queue.options.js';
import { DEAD_LETTERS } from '../../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../../execution-queue.module-definition.js';
import type { DeadLetterCounts } from '../../ports/dead-letters.port.js';
import { QueueOperations } from '../../application/queue-operations.service.js';
import type { QueueChangeFrame } from './queue-change.js';
import { QueueChangeFeed } from './queue-change.feed.js';
import { SseBroadcast } from './sse-broadcast.js';
import type { SseConnection } from './sse-connection.js';

/** How much of each list the first frame of the admin stream carries. */
const SNAPSHOT_PAGE = 100;
const SNAPSHOT_USERS = 20;

/**
 * The live admin stream: each client gets a snapshot, then every change frame, then a status
 * frame every STREAM_STATUS_SECONDS from one shared timer (one store read per tick, whatever
 * the number of clients; the timer runs only while someone is connected). Every client gets the
 * same frames, so they go out through one broadcast.
 */
@Injectable()
export class AdminStreamService implements OnApplicationShutdown {
  private readonly clients = new SseBroadcast();
  private ticker?: NodeJS.Timeout;
  private stopFollowing?: () => void;

  constructor(
    private readonly feed: QueueChangeFeed,
    private readonly admin: QueueOperations,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterCounts,
  ) {}

  /**
   * Serves one client until it goes away. Frames that arrive while the snapshot is read are held
   * and sent after it, so nothing falls between the two (a change may show in both).
   */
  async serve(connection: SseConnection): Promise<void> {
    const held: QueueChangeFrame[] = [];
    const unsubscribe = this.feed.subscribe((frame) => held.push(frame));
    connection.onClose(unsubscribe);
    try {
      connection.send('snapshot', await this.snapshot());
    } catch (error) {
      connection.send('error', { message: `snapshot unavailable: ${(error as Error).message}` });
    }
    // From here on the broadcast carries the frames: in the same turn, so none is missed or sent twice.
    unsubscribe();
    for (const frame of held) connection.send('change', frame);
    if (!connection.isOpen) return;
    this.clients.add(connection);
    this.follow();
    connection.onClose(() => {
      if (this.clients.size > 0) return;
      this.stopTicker();
      this.stopFollowing?.();
      this.stopFollowing = undefined;
    });
    this.startTicker();
  }

  onApplicationShutdown(): void {
    // The connections themselves are closed by SseConnections.
    this.stopFollowing?.();
    this.stopTicker();
  }

  /**
   * Follows the feed while anyone is connected, and only then: with no listener left the feed
   * builds no frames, which under load was work on every change for nobody.
   */
  private follow(): void {
    this.stopFollowing ??= this.feed.subscribe((frame) => this.clients.send('change', frame));
  }

  private async snapshot(): Promise<Record<string, unknown>> {
    const [status, active, pending, users] = await Promise.all([
      this.admin.status(),
      this.admin.active(0, SNAPSHOT_PAGE),
      this.admin.pending({}, 0, SNAPSHOT_PAGE),
      this.admin.users(0, SNAPSHOT_USERS),
    ]);
    return { status, active, pending, users, dead_letters: { ...this.deadLetters.written() }, origin: this.feed.origin, at: new Date().toISOString() };
  }

  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => void this.tick(), this.options.stream.statusSeconds * 1000);
    this.ticker.unref();
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private async tick(): Promise<void> {
    const status = await this.admin.status().catch((error: Error) => ({ unavailable: error.message }));
    // Dead letters are counted where they are written: each replica reports its own.
    this.clients.send('status', { ...status, dead_letters: { ...this.deadLetters.written() } });
  }
}
