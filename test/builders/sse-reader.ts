import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/**
 * A Server-Sent Events client over a plain HTTP request, as a browser's EventSource reads one:
 * it records every event in order. `paused` opens the stream and then never reads it (a stuck
 * client), so the server's send buffer fills.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  ended = false;
  private buffered = '';
  private response?: IncomingMessage;
  private readonly endWaiters: (() => void)[] = [];

  private constructor() {}

  static open(url: string, token: string | null, options: { paused?: boolean } = {}): Promise<SseReader> {
    const reader = new SseReader();
    return new Promise((resolve, reject) => {
      const call = request(url, { headers: token ? { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } : {} }, (response) => {
        reader.response = response;
        reader.status = response.statusCode ?? 0;
        const finish = () => {
          reader.ended = true;
          for (const waiter of reader.endWaiters.splice(0)) waiter();
        };
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);
        if (options.paused) response.pause();
        else response.on('data', (chunk: Buffer) => reader.take(chunk.toString('utf8')));
        resolve(reader);
      });
      call.on('error', reject);
      call.end();
    });
  }

  of(event: string): Record<string, unknown>[] {
    return this.events.filter((entry) => entry.event === event).map((entry) => entry.data);
  }

  whenEnded(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((resolve) => this.endWaiters.push(resolve));
  }

  close(): void {
    this.response?.destroy();
  }

  private take(text: string): void {
    this.buffered += text;
    let boundary: number;
    while ((boundary = this.buffered.indexOf('\n\n')) >= 0) {
      const block = this.buffered.slice(0, boundary);
      this.buffered = this.buffered.slice(boundary + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) this.events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
    }
  }
}
