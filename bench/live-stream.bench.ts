import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { printTable } from './queue-core.bench.js';

/**
 * The live admin stream, against the built service in its own process (as `npm start` runs
 * it; simulated pods), measured from this process:
 * - change -> visible: for each frame, the time from the change (its `at`) to its arrival here,
 *   at about 200 changes per second; beside it, in the same run, a bare SSE server that only
 *   writes timestamped frames at the same rate (the floor for Node + loopback + this client);
 * - what 100 connected stream clients cost the queue: executions per second through the whole
 *   service with none and with 100 connected clients (in their own low-priority process, which
 *   reads and discards), alternating, median of the rounds. BENCH_PART=throughput runs only this;
 *   BENCH_CPU_PROFILE=<dir> writes a CPU profile of each service process there.
 */
const TOKEN = 'bench-stream-token-0123456789';
const RATE_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const EXECUTIONS_PER_SECOND = 50; // four changes each: accepted, dispatched, started, finished
const THROUGHPUT_EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAIN = 'dist-bench/src/main.js';
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startProcess(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`process did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function startService(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = await startProcess([...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : []), MAIN], { PORT: String(port), HOST: '127.0.0.1', ADMIN_TOKENS: TOKEN, QUEUE_HOUSEKEEPING_SECONDS: '0', ...env }, 'listening on');
  return { child, base: `http://127.0.0.1:${port}` };
}

/** Calls the API; resolves with the parsed JSON body. */
function call(base: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${path}`, { method, agent, headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => (response.statusCode! < 300 ? resolve(JSON.parse(text || '{}')) : reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads an SSE stream, calling `onFrame` with each event's data and its arrival time. */
function readStream(url: string, onFrame: (event: string, data: Record<string, unknown>, receivedAt: number) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${TOKEN}` } }, (response) => {
      let buffered = '';
      response.on('data', (chunk: Buffer) => {
        const receivedAt = Date.now();
        buffered += chunk.toString('utf8');
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) onFrame(event, JSON.parse(data) as Record<string, unknown>, receivedAt);
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const submission = (id: string, user: string) => ({ execution_id: id, user_id: user, script: 'print(1)', language: 'python', language_version: '3.11' });

/** Change -> visible on the admin stream at EXECUTIONS_PER_SECOND x 4 changes per second. */
async function streamLatency(): Promise<{ latencies: number[]; perSecond: number }> {
  const { child, base } = await startService({ SIMULATED_RUN_MS: '20', QUEUE_MAX_PER_USER: '1000000', QUEUE_MAX_SIZE: '1000000' });
  try {
    const latencies: number[] = [];
    const close = await readStream(`${base}/api/v1/admin/stream`, (event, data, receivedAt) => {
      if (event === 'change') latencies.push(receivedAt - Date.parse(String(data.at)));
    });
    const started = Date.now();
    const total = RATE_SECONDS * EXECUTIONS_PER_SECOND;
    for (let index = 0; index < total; index++) {
      const due = started + (index * 1000) / EXECUTIONS_PER_SECOND;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      void call(base, 'POST', '/api/v1/executions', submission(`lat-${index}`, `user-${index % 20}`));
    }
    while (latencies.length < total * 4 && Date.now() - started < (RATE_SECONDS + 20) * 1000) await new Promise((resolve) => setTimeout(resolve, 100));
    close();
    return { latencies: latencies.sort((a, b) => a - b), perSecond: latencies.length / ((Date.now() - started) / 1000) };
  } finally {
    child.kill('SIGTERM');
  }
}

/** The floor: a bare SSE server writing a timestamped frame of the same size at the same rate. */
async function bareSseLatency(): Promise<number[]> {
  const port = await freePort();
  const script = `
    const http = require('node:http');
    const pad = 'x'.repeat(180);
    http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('event: change\\ndata: ' + JSON.stringify({ at: new Date().toISOString(), pad }) + '\\n\\n'), 5);
      req.on('close', () => clearInterval(timer));
    }).listen(${port}, '127.0.0.1', () => console.log('listening on'));`;
  const child = await startProcess(['-e', script], {}, 'listening on');
  try {
    const latencies: number[] = [];
    const close = await readStream(`http://127.0.0.1:${port}/`, (_event, data, receivedAt) => latencies.push(receivedAt - Date.parse(String(data.at))));
    await new Promise((resolve) => setTimeout(resolve, RATE_SECONDS * 1000));
    close();
    return latencies.sort((a, b) => a - b);
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * Opens `clients` admin streams from a separate, lowest-priority process that only discards what
 * arrives: the clients stand for browsers on other machines, so their parsing must not take this
 * process's CPU (which drives the load) nor compete with the service at equal priority.
 */
async function startIdleReaders(base: string, clients: number): Promise<ChildProcess> {
  const script = `
    const http = require('node:http');
    let connected = 0;
    for (let index = 0; index < ${clients}; index++) {
      http.request('${base}/api/v1/admin/stream', { headers: { Authorization: 'Bearer ${TOKEN}' } }, (response) => {
        response.on('data', () => undefined);
        if (++connected === ${clients}) console.log('readers connected');
      }).end();
    }`;
  return startProcess(['-e', `require('node:os').setPriority(19); ${script}`], {}, 'readers connected');
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface ThroughputRound {
  perSecond: number;
  /** The service's CPU milliseconds per execution, and the readers' process's. */
  serviceCpuMs: number;
  readersCpuMs: number;
}

/** Executions per second through the whole service, with `clients` reading the admin stream. */
async function throughputWith(clients: number): Promise<ThroughputRound> {
  const { child, base } = await startService({ SIMULATED_RUN_MS: '1', QUEUE_MAX_ACTIVE: '50', QUEUE_MAX_PER_USER: '1000000', QUEUE_MAX_SIZE: '1000000' });
  const readers = clients > 0 ? await startIdleReaders(base, clients) : undefined;
  try {
    const started = Date.now();
    const [serviceBefore, readersBefore] = await Promise.all([cpuSeconds(child.pid!), readers ? cpuSeconds(readers.pid!) : 0]);
    for (let start = 0; start < THROUGHPUT_EXECUTIONS; start += 50) {
      await Promise.all(Array.from({ length: Math.min(50, THROUGHPUT_EXECUTIONS - start) }, (_, offset) => call(base, 'POST', '/api/v1/executions', submission(`tp-${start + offset}`, `user-${(start + offset) % 100}`))));
    }
    for (;;) {
      const metrics = await new Promise<string>((resolve) => request(`${base}/metrics`, { agent }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk));
        response.on('end', () => resolve(text));
      }).end());
      const finished = Number(/^execution_queue_finished_total\{outcome="completed"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      if (finished >= THROUGHPUT_EXECUTIONS) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const perSecond = THROUGHPUT_EXECUTIONS / ((Date.now() - started) / 1000);
    const [serviceAfter, readersAfter] = await Promise.all([cpuSeconds(child.pid!), readers ? cpuSeconds(readers.pid!) : 0]);
    const perExecution = (seconds: number) => (seconds * 1000) / THROUGHPUT_EXECUTIONS;
    return { perSecond, serviceCpuMs: perExecution(serviceAfter - serviceBefore), readersCpuMs: perExecution(readersAfter - readersBefore) };
  } finally {
    readers?.kill('SIGTERM');
    child.kill('SIGTERM');
  }
}

export async function runLiveStreamBenchmark(): Promise<void> {
  if (process.env.BENCH_PART !== 'throughput') await printLatency();
  await printThroughput();
}

async function printLatency(): Promise<void> {
  const stream = await streamLatency();
  const bare = await bareSseLatency();
  console.log(`\nChange -> visible on the admin stream, ${EXECUTIONS_PER_SECOND * 4} changes/s offered for ${RATE_SECONDS} s (ms; same run)`);
  const row = (name: string, sorted: number[], perSecond: number) => [name, String(sorted.length), perSecond.toFixed(0), String(percentile(sorted, 50)), String(percentile(sorted, 99)), String(sorted[sorted.length - 1])];
  printTable(['stream', 'frames', 'frames/s', 'p50', 'p99', 'max'], [row('admin stream (service)', stream.latencies, stream.perSecond), row('bare SSE server (floor)', bare, bare.length / RATE_SECONDS)]);
}

async function printThroughput(): Promise<void> {
  const without: ThroughputRound[] = [];
  const withClients: ThroughputRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    without.push(await throughputWith(0));
    withClients.push(await throughputWith(100));
  }
  const median = (rounds: ThroughputRound[], pick: (round: ThroughputRound) => number) => rounds.map(pick).sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
  const row = (name: string, rounds: ThroughputRound[]) => [
    name,
    median(rounds, (round) => round.perSecond).toFixed(0),
    rounds.map((round) => round.perSecond.toFixed(0)).join(' / '),
    `${(median(rounds, (round) => round.perSecond) / median(without, (round) => round.perSecond)).toFixed(2)}×`,
    median(rounds, (round) => round.serviceCpuMs).toFixed(2),
    `${(median(rounds, (round) => round.serviceCpuMs) / median(without, (round) => round.serviceCpuMs)).toFixed(2)}×`,
    median(rounds, (round) => round.readersCpuMs).toFixed(2),
  ];
  console.log(`\nExecutions per second through the service (${THROUGHPUT_EXECUTIONS} per round, ${ROUNDS} rounds alternating, median), and CPU ms per execution`);
  printTable(
    ['stream clients', 'executions/s', 'rounds', 'vs none', 'service CPU ms/exec', 'vs none', 'readers CPU ms/exec'],
    [row('none', without), row('100 connected to the admin stream', withClients)],
  );
}
