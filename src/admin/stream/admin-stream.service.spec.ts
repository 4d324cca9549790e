import type { ExecutionQueueOptions } from '../../config/execution-queue.options.js';
import type { ExecutionEvents } from '../../application/execution-events.service.js';
import type { QueueOperations } from '../../application/queue-operations.service.js';
import { AdminStreamService } from './admin-stream.service.js';
import { QueueChangeFeed } from './queue-change.feed.js';
import { GATHER_MS } from './sse-broadcast.js';
import { eventText, type SseConnection } from './sse-connection.js';

/** A client of the stream that keeps what it was sent as text; `close()` is the client going away. */
class RecordingConnection {
  isOpen = true;
  text = '';
  private readonly closeHandlers: (() => void)[] = [];

  onClose(handler: () => void): void {
    if (!this.isOpen) handler();
    else this.closeHandlers.push(handler);
  }

  send(event: string, data: unknown): boolean {
    this.text += eventText(event, data);
    return true;
  }

  write(chunk: Buffer): boolean {
    this.text += chunk.toString('utf8');
    return true;
  }

  close(): void {
    this.isOpen = false;
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}

const afterGathering = () => new Promise((resolve) => setTimeout(resolve, GATHER_MS + 5));

describe('AdminStreamService', () => {
  const noEvents = { listen: () => () => undefined } as unknown as ExecutionEvents;
  const admin = {
    status: async () => ({ pending: 0 }),
    active: async () => ({ items: [] }),
    pending: async () => ({ items: [] }),
    users: async () => ({ items: [] }),
  } as unknown as QueueOperations;
  const options = { stream: { statusSeconds: 3600 } } as ExecutionQueueOptions;

  it('follows the change feed only while a client is connected, and a client that comes later still gets the changes', async () => {
    const feed = new QueueChangeFeed(noEvents, null);
    await feed.onModuleInit();
    const service = new AdminStreamService(feed, admin, options, { written: () => ({ invalid_message: 2 }) });
    try {
      expect(feed.listenerCount).toBe(0);

      const first = new RecordingConnection();
      await service.serve(first as unknown as SseConnection);
      expect(feed.listenerCount).toBe(1);
      feed.record({ type: 'held', at: new Date(0) });
      await afterGathering();
      expect(first.text).toContain('event: snapshot');
      expect(first.text).toContain('"type":"held"');

      first.close();
      expect(feed.listenerCount).toBe(0);

      const second = new RecordingConnection();
      await service.serve(second as unknown as SseConnection);
      feed.record({ type: 'resumed', at: new Date(0) });
      await afterGathering();
      expect(second.text).toContain('"type":"resumed"');
      expect(second.text).not.toContain('"type":"held"');
      expect(feed.listenerCount).toBe(1);
    } finally {
      service.onApplicationShutdown();
      await feed.onApplicationShutdown();
    }
  });
});
