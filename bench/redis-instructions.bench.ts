import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { PRIORITIES } from '../src/contracts/priority.constants.js';
import type { QueueOrder } from '../src/coordinator/domain/fair-share.js';
import type { QueueLimits } from '../src/coordinator/domain/queue-limits.js';
import type { QueueStateStore } from '../src/coordinator/queue-state-store.port.js';
import { RedisQueueStateStore } from '../src/coordinator/stores/redis/redis-queue-state.store.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestEvent } from './sample-request.js';

/**
 * Instructions Redis executes per scheduling cycle, counted by valgrind's callgrind in a Redis
 * of the benchmark's own: unlike the time the store benchmark measures, the count does not move
 * with the machine's speed (repeat runs agree within about 1%), so it tells whether a change to
 * the Lua makes Redis do less, where the timed store benchmark's rounds vary by a fifth. BullMQ's
 * count is printed for scale; the figure that counts against it stays the store benchmark's
 * time. BENCH_BASELINE=<dist-bench folder of another checkout> adds that build's store as rows
 * beside this one's.
 *
 * Regimes, each a fixed sequence of calls (no timing decides what runs):
 * - backlog: 100 executions wait; each step admits 8 (sent together, so they travel packed in
 *   calls as under load) and releases 8 running ones, whose releases dispatch the next.
 * - idle: nothing waits; each step releases 4 of 8 running executions and admits 4, which are
 *   dispatched in their admission call (the path while capacity keeps up).
 */
const STEPS = Number(process.env.BENCH_STEPS ?? 150);
const SLOTS = 16;
const USERS = 100;
const PORT = Number(process.env.BENCH_CALLGRIND_PORT ?? 16479);

interface Regime {
  name: string;
  waiting: number;
  running: number;
  perStep: number;
}
const REGIMES: Regime[] = [
  { name: 'backlog (100 waiting, 8 per call)', waiting: 100, running: SLOTS, perStep: 8 },
  { name: 'idle (nothing waiting, 4 per call)', waiting: 0, running: 8, perStep: 4 },
];

/** A Redis under callgrind, counting only between zero() and dump(). */
class CountedRedis {
  private constructor(private readonly process: ChildProcess, private readonly dir: string) {}

  static async start(): Promise<CountedRedis> {
    for (const tool of ['valgrind', 'callgrind_control', 'redis-server']) {
      try {
        execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      } catch {
        throw new Error(`${tool} not found: this benchmark needs valgrind (apt-get install valgrind) and redis-server (npm run infra:up installs it)`);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'eq-callgrind-'));
    // The same persistence as the server `npm run infra:up` starts: an append-only log, flushed each second.
    const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${dir}/callgrind.out.%p`, 'redis-server', '--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0', '--dir', dir], { stdio: 'ignore' });
    const counted = new CountedRedis(child, dir);
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const probe = new Redis({ port: PORT, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => undefined);
        await probe.connect();
        await probe.quit();
        return counted;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    child.kill();
    throw new Error('Redis under valgrind did not start');
  }

  get url(): string {
    return `redis://127.0.0.1:${PORT}`;
  }

  async flush(): Promise<void> {
    const redis = new Redis(this.url);
    await redis.flushall();
    await redis.quit();
  }

  zero(): void {
    execFileSync('callgrind_control', ['-z', String(this.process.pid)], { stdio: 'ignore' });
  }

  /** Instructions since the last zero(). */
  dump(): number {
    for (const file of readdirSync(this.dir).filter((name) => name.startsWith('callgrind.out'))) rmSync(join(this.dir, file));
    execFileSync('callgrind_control', ['-d', String(this.process.pid)], { stdio: 'ignore' });
    let instructions = 0;
    for (const file of readdirSync(this.dir).filter((name) => name.startsWith('callgrind.out'))) {
      const totals = /^(?:summary|totals):\s+(\d+)/m.exec(readFileSync(join(this.dir, file), 'utf8'));
      if (totals) instructions = Math.max(instructions, Number(totals[1]));
    }
    return instructions;
  }

  /** Stops the server and waits for it: valgrind writes its last counts on the way out. */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill();
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function requestOf(index: number) {
  const id = randomUUID();
  const user = `user-${index % USERS}`;
  const priority = PRIORITIES[index % PRIORITIES.length]!;
  return { executionId: id, userId: user, priority, payload: sampleRequestEvent(id, user, priority) };
}

type StoreClass = new (limits: QueueLimits, settings: { url: string; keyPrefix: string }) => QueueStateStore & { close(): Promise<void> };

/** Instructions per cycle (admit + dispatch + release) of one store build, order and regime. */
async function storeInstructions(redis: CountedRedis, Store: StoreClass, order: QueueOrder, regime: Regime): Promise<number> {
  await redis.flush();
  const limits: QueueLimits = {
    maxQueueSize: 1_000_000, maxExecutionsPerUser: 1_000_000, staleTimeoutSeconds: 3600, maxActiveExecutions: SLOTS,
    recentIdsCapacity: 100_000, leaseSeconds: 3600, dispatchGraceSeconds: 3600, queueOrder: order,
  };
  const store = new Store(limits, { url: redis.url, keyPrefix: `count-${randomUUID().slice(0, 8)}:` });
  let made = 0;
  const running: string[] = [];
  const unconfirmed: string[] = [];
  const took = (steps: readonly { execution: { executionId: string } }[] | undefined) => {
    for (const step of steps ?? []) {
      running.push(step.execution.executionId);
      unconfirmed.push(step.execution.executionId);
    }
  };
  const admitMany = async (count: number) => {
    const outcomes = await Promise.all(Array.from({ length: count }, () => store.admit(requestOf(made++), Date.now(), [randomUUID()])));
    for (const outcome of outcomes) if (outcome.kind === 'accepted') took(outcome.scheduled?.steps);
  };
  const releaseMany = async (count: number) => {
    const outcomes = await Promise.all(running.splice(0, count).map((id) => store.release(id, Date.now(), [randomUUID(), randomUUID()])));
    for (const outcome of outcomes) took(outcome.scheduled?.steps);
  };
  const step = async () => {
    if (regime.waiting === 0) {
      await releaseMany(regime.perStep);
      await admitMany(regime.perStep);
    } else {
      await Promise.all([admitMany(regime.perStep), releaseMany(regime.perStep)]);
    }
    if (unconfirmed.length >= SLOTS) await store.confirmDispatched(unconfirmed.splice(0));
  };
  try {
    for (let i = 0; i < regime.running + regime.waiting; i++) await admitMany(1);
    await store.confirmDispatched(unconfirmed.splice(0));
    // Warm-up: the library loaded, the sets and hashes at their steady size and encoding.
    for (let i = 0; i < 30; i++) await step();
    redis.zero();
    for (let i = 0; i < STEPS; i++) await step();
    return redis.dump() / (STEPS * regime.perStep);
  } finally {
    await store.close();
  }
}

/** BullMQ for scale: a queue held at `waiting` jobs, a worker of SLOTS concurrency; instructions per job. */
async function bullmqInstructions(redis: CountedRedis, waiting: number): Promise<number> {
  await redis.flush();
  const connection = { host: '127.0.0.1', port: PORT, maxRetriesPerRequest: null };
  const queue = new Queue(`count-${randomUUID().slice(0, 8)}`, { connection });
  let made = 0;
  const add = () => {
    const { executionId, payload } = requestOf(made);
    return queue.add('execution', payload, { jobId: executionId, priority: (made++ % PRIORITIES.length) + 1, removeOnComplete: true, removeOnFail: true });
  };
  for (let i = 0; i < waiting + SLOTS; i++) await add();
  const warmUp = 30 * 8;
  const jobs = STEPS * 8;
  let completed = 0;
  let instructions = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker(queue.name, async () => undefined, { connection, concurrency: SLOTS });
  worker.on('completed', () => {
    completed++;
    if (completed === warmUp) redis.zero();
    if (completed === warmUp + jobs) {
      instructions = redis.dump();
      finish();
    } else if (completed < warmUp + jobs) {
      void add();
    }
  });
  await done;
  await worker.close();
  await queue.close();
  return instructions / jobs;
}

export async function runRedisInstructionsBenchmark(): Promise<void> {
  const redis = await CountedRedis.start();
  try {
    const builds: [string, StoreClass][] = [['this build', RedisQueueStateStore]];
    if (process.env.BENCH_BASELINE) {
      const baseline = (await import(join(process.env.BENCH_BASELINE, 'src/coordinator/stores/redis/redis-queue-state.store.js'))) as { RedisQueueStateStore: StoreClass };
      builds.push([`baseline (${process.env.BENCH_BASELINE})`, baseline.RedisQueueStateStore]);
    }
    const rows: string[][] = [];
    for (const regime of REGIMES) {
      let fifoOfThisBuild = Number.NaN;
      for (const [build, Store] of builds) {
        for (const order of ['fifo', 'fair'] as const) {
          const perCycle = await storeInstructions(redis, Store, order, regime);
          if (build === 'this build' && order === 'fifo') fifoOfThisBuild = perCycle;
          rows.push([regime.name, `redis store, ${order}, ${build}`, Math.round(perCycle).toLocaleString('en-US'), `${(perCycle / fifoOfThisBuild).toFixed(3)}×`]);
        }
      }
      if (regime.waiting > 0) {
        const perJob = await bullmqInstructions(redis, regime.waiting);
        rows.push([regime.name, 'bullmq (per job, for scale)', Math.round(perJob).toLocaleString('en-US'), `${(perJob / fifoOfThisBuild).toFixed(3)}×`]);
      }
    }
    console.log(`\nInstructions Redis executes per cycle (admit + dispatch + release), counted by callgrind over ${STEPS} steps after 30 warm-up steps, ${USERS} users, ${SLOTS} slots`);
    printTable(['regime', 'implementation', 'instructions/cycle', 'vs fifo (this build)'], rows);
  } finally {
    await redis.stop();
  }
}
