import type { Response } from 'express';

/** The wire text of one Server-Sent Event. */
export function eventText(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * One Server-Sent Events response. Writes never wait: when the client reads slower than the
 * stream produces and more than `maxBufferedBytes` are waiting to be sent, the connection is
 * dropped (the client reconnects and starts from a fresh snapshot), so a slow reader costs the
 * queue nothing but that memory.
 *
 * The events sent during one event-loop turn go out in one socket write: a dispatch run makes
 * several changes at once, and a write per event costs more than the rest of the stream.
 */
export class SseConnection {
  private open = true;
  private readonly closeHandlers: (() => void)[] = [];
  private unsent = '';
  private flushScheduled = false;

  constructor(
    private readonly response: Response,
    private readonly maxBufferedBytes: number,
    private readonly onDropped: () => void = () => undefined,
  ) {
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    // Proxies that buffer responses (nginx) would hold frames back.
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.on('close', () => this.closed());
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Calls `handler` once the connection ends, whoever ended it. */
  onClose(handler: () => void): void {
    if (!this.open) handler();
    else this.closeHandlers.push(handler);
  }

  /** Sends one event (at the end of this turn); false when the connection is gone or was just dropped for being slow. */
  send(event: string, data: unknown): boolean {
    if (!this.withinLimit(this.unsent.length)) return false;
    this.unsent += eventText(event, data);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /**
   * Writes already formatted events now, after whatever `send` still holds (so the order is
   * kept). For a broadcast: the same bytes go to every client without being made again.
   */
  write(chunk: Buffer): boolean {
    if (!this.withinLimit(this.unsent.length)) return false;
    this.flush();
    this.response.write(chunk);
    return true;
  }

  /** A comment line: keeps idle proxies from closing the connection. */
  keepAlive(): void {
    if (this.open && this.response.writableLength <= this.maxBufferedBytes) {
      this.flush();
      this.response.write(': keep-alive\n\n');
    }
  }

  end(): void {
    if (!this.open) return;
    this.flush();
    this.response.end();
    this.closed();
  }

  /** Ends the connection now, whatever is still unsent (a client that does not read would keep it open). */
  terminate(): void {
    this.response.destroy();
    this.closed();
  }

  /**
   * False, and the connection dropped, when more than the limit already waits for this client
   * (`held` bytes here plus what the socket has not sent). What is being added does not count:
   * one large batch must not drop a client that keeps up.
   */
  private withinLimit(held: number): boolean {
    if (!this.open) return false;
    if (this.response.writableLength + held <= this.maxBufferedBytes) return true;
    this.terminate();
    this.onDropped();
    return false;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.open || this.unsent === '') return;
    const text = this.unsent;
    this.unsent = '';
    this.response.write(text);
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.unsent = '';
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
