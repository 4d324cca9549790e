import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import type { ExecutionQueueOptions } from '../../config/execution-queue.options.js';
import { MODULE_OPTIONS_TOKEN } from '../../execution-queue.module-definition.js';
import type { StreamStats } from '../metrics/stream-stats.port.js';
import { SseConnection } from './sse-connection.js';

/**
 * Opens the streams' connections and closes every one still open when the application shuts
 * down: an HTTP server stops only once its connections have, and a stream never ends by itself.
 */
@Injectable()
export class SseConnections implements BeforeApplicationShutdown, StreamStats {
  private readonly open = new Set<SseConnection>();
  private dropped = 0;

  constructor(@Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions) {}

  /** Starts an event stream on `response`, with the configured buffer limit. */
  start(response: Response): SseConnection {
    const connection = new SseConnection(response, this.options.stream.maxBufferedKb * 1024, () => this.dropped++);
    this.open.add(connection);
    connection.onClose(() => this.open.delete(connection));
    return connection;
  }

  streamStats(): { open: number; droppedTotal: number } {
    return { open: this.open.size, droppedTotal: this.dropped };
  }

  beforeApplicationShutdown(): void {
    for (const connection of [...this.open]) connection.terminate();
  }
}
