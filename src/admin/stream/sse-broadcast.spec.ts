import { once } from 'node:events';
import { request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { GATHER_MS, SseBroadcast } from './sse-broadcast.js';
import { SseConnection } from './sse-connection.js';

/** A real HTTP server whose every request becomes an SseConnection handed to the test. */
async function sseServer(maxBufferedBytes = 1 << 20) {
  const accepted: { connection: SseConnection; writes: () => number }[] = [];
  const waiting: ((entry: (typeof accepted)[number]) => void)[] = [];
  const app = express();
  app.get('/stream', (_request, response: Response) => {
    let writes = 0;
    const write = response.write.bind(response) as (...args: unknown[]) => boolean;
    // Counts the socket writes this connection makes (after the headers).
    (response as unknown as { write: (...args: unknown[]) => boolean }).write = (...args) => {
      writes++;
      return write(...args);
    };
    const entry = { connection: new SseConnection(response, maxBufferedBytes), writes: () => writes };
    const next = waiting.shift();
    if (next) next(entry);
    else accepted.push(entry);
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    /** Opens a client; resolves with the server's side of it and the client's received text. */
    async connect(options: { read?: boolean } = {}) {
      const serverSide = new Promise<(typeof accepted)[number]>((resolve) => {
        const ready = accepted.shift();
        if (ready) resolve(ready);
        else waiting.push(resolve);
      });
      const client = request(`http://127.0.0.1:${port}/stream`);
      client.end();
      const [response] = (await once(client, 'response')) as [IncomingMessage];
      let text = '';
      if (options.read === false) response.pause();
      else response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      return { ...(await serverSide), received: () => text, close: () => client.destroy() };
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const afterGathering = () => new Promise((resolve) => setTimeout(resolve, GATHER_MS + 1));
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const dataOf = (text: string) => [...text.matchAll(/^data: (.*)$/gm)].map((match) => JSON.parse(match[1]!) as unknown);

describe('SseBroadcast', () => {
  let server: Awaited<ReturnType<typeof sseServer>>;
  afterEach(async () => server?.close());

  it('sends the events gathered together to every member in one write each, in order', async () => {
    server = await sseServer();
    const first = await server.connect();
    const second = await server.connect();
    const broadcast = new SseBroadcast();
    broadcast.add(first.connection);
    broadcast.add(second.connection);

    for (let index = 0; index < 5; index++) broadcast.send('change', { index });
    await until(() => dataOf(first.received()).length === 5);
    broadcast.send('change', { index: 5 });

    await until(() => dataOf(first.received()).length === 6 && dataOf(second.received()).length === 6);
    const expected = [0, 1, 2, 3, 4, 5].map((index) => ({ index }));
    expect(dataOf(first.received())).toEqual(expected);
    expect(dataOf(second.received())).toEqual(expected);
    expect(first.writes()).toBe(2);
    expect(second.writes()).toBe(2);
  });

  it('gives a member joining while events are gathered only what comes after it joined, after what it was sent itself', async () => {
    server = await sseServer();
    const early = await server.connect();
    const late = await server.connect();
    const broadcast = new SseBroadcast();
    broadcast.add(early.connection);

    broadcast.send('change', { index: 0 });
    // The late member was told about index 0 its own way (a snapshot).
    late.connection.send('snapshot', { upTo: 0 });
    broadcast.add(late.connection);
    broadcast.send('change', { index: 1 });

    await until(() => dataOf(early.received()).length === 2 && dataOf(late.received()).length === 2);
    expect(dataOf(early.received())).toEqual([{ index: 0 }, { index: 1 }]);
    expect(dataOf(late.received())).toEqual([{ upTo: 0 }, { index: 1 }]);
    expect(late.received().indexOf('event: snapshot')).toBe(0);
  });

  it('drops a member that stops reading once its buffer is over the limit; the others go on', async () => {
    server = await sseServer(64 * 1024);
    const reader = await server.connect();
    const stalled = await server.connect({ read: false });
    const broadcast = new SseBroadcast();
    broadcast.add(reader.connection);
    broadcast.add(stalled.connection);

    const padding = 'x'.repeat(1000);
    let sent = 0;
    while (stalled.connection.isOpen && sent < 100_000) {
      for (let index = 0; index < 50; index++) broadcast.send('change', { index: sent++, padding });
      await afterGathering();
    }

    expect(stalled.connection.isOpen).toBe(false);
    expect(broadcast.size).toBe(1);
    await until(() => dataOf(reader.received()).length === sent);
    expect(dataOf(reader.received()).map((data) => (data as { index: number }).index)).toEqual([...Array(sent).keys()]);
    reader.close();
    stalled.close();
  });
});
