import type { Response } from 'express';

/**
 * The text of an event. A change frame goes to every client as the same object, so its text is
 * made once and kept with it (a WeakMap: it goes when the frame does), not once per client.
 */
const texts = new WeakMap<object, Map<string, string>>();
const eventText = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
function formatted(event: string, data: unknown): string {
  if (typeof data !== 'object' || data === null) return eventText(event, data);
  let byEvent = texts.get(data);
  if (!byEvent) texts.set(data, (byEvent = new Map()));
  let text = byEvent.get(event);
  if (text === undefined) byEvent.set(event, (text = eventText(event, data)));
  return text;
}

/**
 * One Server-Sent Events response. Writes never wait: when the client reads slower than the
 * stream produces and more than `maxBufferedBytes` are waiting to be sent, the connection is
 * dropped (the client reconnects and starts from a fresh snapshot), so a slow reader costs the
 * queue nothing but that memory.
 */
export class SseConnection {
  private open = true;
  private readonly closeHandlers: (() => void)[] = [];

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

  /** Sends one event; false when the connection is gone or was just dropped for being slow. */
  send(event: string, data: unknown): boolean {
    if (!this.open) return false;
    if (this.response.writableLength > this.maxBufferedBytes) {
      this.terminate();
      this.onDropped();
      return false;
    }
    this.response.write(formatted(event, data));
    return true;
  }

  /** A comment line: keeps idle proxies from closing the connection. */
  keepAlive(): void {
    if (this.open && this.response.writableLength <= this.maxBufferedBytes) this.response.write(': keep-alive\n\n');
  }

  end(): void {
    if (!this.open) return;
    this.response.end();
    this.closed();
  }

  /** Ends the connection now, whatever is still unsent (a client that does not read would keep it open). */
  terminate(): void {
    this.response.destroy();
    this.closed();
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
