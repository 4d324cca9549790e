import { eventText, type SseConnection } from './sse-connection.js';

/**
 * How long events wait to be sent together. Under load a turn of the event loop holds only a
 * change or two, and a socket write per client per batch is what the stream costs the queue.
 * The window trades that cost against how soon a change shows: this one keeps 100 clients'
 * cost small and a change still shows well inside the 100 ms the stream promises (figures in
 * docs/benchmarks.md, "Live admin stream").
 */
export const GATHER_MS = 25;

/**
 * The same events to many connections: each event is formatted once, and the events of
 * GATHER_MS are encoded once and written to every member in a single write. The cost per
 * change is then one string, and per batch one write per client, not one per event and client.
 */
export class SseBroadcast {
  /** Each member, with how much of the text pending at its joining it already has. */
  private readonly members = new Map<SseConnection, number>();
  private pending = '';
  private flushScheduled = false;

  get size(): number {
    return this.members.size;
  }

  /**
   * Adds a member. The events already pending are not sent to it: a member joins
   * after it was told everything up to now in its own way (the admin stream's snapshot).
   */
  add(connection: SseConnection): void {
    if (!connection.isOpen) return;
    this.members.set(connection, this.pending.length);
    connection.onClose(() => this.members.delete(connection));
  }

  send(event: string, data: unknown): void {
    if (this.members.size === 0) return;
    this.pending += eventText(event, data);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setTimeout(() => this.flush(), GATHER_MS);
  }

  private flush(): void {
    this.flushScheduled = false;
    const text = this.pending;
    this.pending = '';
    if (text === '') return;
    const bytes = Buffer.from(text, 'utf8');
    for (const [connection, alreadyHas] of this.members) {
      if (alreadyHas === 0) {
        connection.write(bytes);
        continue;
      }
      this.members.set(connection, 0);
      if (alreadyHas < text.length) connection.write(Buffer.from(text.slice(alreadyHas), 'utf8'));
    }
  }
}
