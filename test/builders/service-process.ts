import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The built service (`dist/main.js`, as `npm start` runs it), started as a real process. */
export const MAIN = 'dist/main.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface RunningService {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startService(env: Record<string, string>): Promise<RunningService> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk;
    if (process.env.TEST_LOGS) process.stderr.write(`[pid ${child.pid}] ${chunk}`);
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  const deadline = Date.now() + 40_000;
  while (!output.includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`service did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

