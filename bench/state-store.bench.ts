import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { PRIORITIES, priorityRank, type Priority } from '../src/contracts/priority.constants.js';
import type { ExecutionRequestedEvent } from '../src/contracts/execution.events.js';
import type { QueueLimits } from '../src/coordinator/domain/queue-limits.js';
import type { ScheduleResult } from '../src/coordinator/domain/coordinator-outcomes.js';
import type { QueueStateStore, StoredRequest } from '../src/coordinator/queue-state-store.port.js';
import { InMemoryQueueStateStore } from '../src/coordinator/stores/in-memory-queue-state.store.js';
import { RedisQueueStateStore } from '../src/coordinator/stores/redis/redis-queue-state.store.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestEvent } from './sample-request.js';
import { pool } from './concurrency.js';

/**
 * Scheduling throughput of the state stores: one cycle = admit + dispatch + release of one
 * execution, with producers and dispatchers running at the same time. The reference is BullMQ
 * on the same Redis doing the equivalent with prioritised jobs: add, then a worker takes the
 * job and completes it. Same executions, same payloads, same concurrency, same server.
 */
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const USERS = 100;
const CONFIRM_BATCH = 16;

/** The Redis the benchmarks use: REDIS_URL, or the one `npm run infra:up` recorded. */
export function redisUrl(): string {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const line = readFileSync('.infra/env', 'utf8').split('\n').find((entry) => entry.startsWith('REDIS_URL='));
  if (!line) throw new Error('No Redis: run `npm run infra:up` first or set REDIS_URL');
  return line.slice('REDIS_URL='.length);
}

interface Work {
  id: string;
  user: string;
  priority: Priority;
}

/**
 * The request a producer sends, made when it sends it (as a real producer does): 20,000 of them
 * made up front would stay live through one round and be collected during the next.
 */
function requestOf({ id, user, priority }: Work): ExecutionRequestedEvent {
  return sampleRequestEvent(id, user, priority);
}

function workload(): Work[] {
  return Array.from({ length: EXECUTIONS }, (_, i) => {
    const id = randomUUID();
    const priority = PRIORITIES[i % PRIORITIES.length]!;
    const user = `user-${i % USERS}`;
    return { id, user, priority };
  });
}

/**
 * Drives a store the way the coordinator does: a request is admitted and scheduled in one call;
 * a finished execution is released and the next one scheduled in one call; dispatches are
 * confirmed in batches, as the Kafka transport confirms them once per sent batch.
 */
async function storeCycles(store: QueueStateStore, work: Work[], producerCount: number): Promise<number> {
  const started = performance.now();
  const running: string[] = [];
  const unconfirmed: string[] = [];
  let released = 0;
  // Idle completers wait here; each dispatch wakes one of them (waking all would make the
  // harness, not the store, do most of the work).
  const waiting: (() => void)[] = [];
  const wakeAll = () => waiting.splice(0).forEach((resolve) => resolve());
  // Fresh saga ids per call, as the coordinator passes them: two to a release (SAGAS_PER_RUN),
  // one to an admission (it dispatches at most the request itself).
  const sagas = () => [randomUUID(), randomUUID()];
  const took = async (result: ScheduleResult<StoredRequest> | undefined) => {
    for (const step of result?.steps ?? []) {
      running.push(step.execution.executionId);
      unconfirmed.push(step.execution.executionId);
      waiting.shift()?.();
    }
    if (unconfirmed.length >= CONFIRM_BATCH) await store.confirmDispatched(unconfirmed.splice(0));
  };
  const producers = pool(work, producerCount, async (item) => {
    const outcome = await store.admit({ executionId: item.id, userId: item.user, priority: item.priority, payload: requestOf(item) }, Date.now(), [randomUUID()]);
    if (outcome.kind === 'accepted') await took(outcome.scheduled);
  });
  // Completers: each running execution finishes at once; its release schedules the next.
  const completers = Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (released < work.length) {
      const id = running.shift();
      if (id === undefined) {
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const outcome = await store.release(id, Date.now(), sagas());
      released++;
      await took(outcome.scheduled);
    }
    wakeAll();
  }));
  await Promise.all([producers, completers]);
  return work.length / ((performance.now() - started) / 1000);
}

async function bullmqCycles(url: string, work: Work[], producerCount: number): Promise<number> {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(name, { connection });
  let completed = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const worker = new Worker(name, async () => undefined, { connection, concurrency: CONCURRENCY, autorun: true });
  worker.on('completed', () => {
    if (++completed === work.length) finish();
  });
  await pool(work, producerCount, async (item) => {
    // BullMQ priorities: 1 is the highest; 0 would mean "no priority".
    await queue.add('execution', requestOf(item), { jobId: item.id, priority: priorityRank(item.priority) + 1, removeOnComplete: true, removeOnFail: true });
  });
  await done;
  const rate = work.length / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}

/** What the benchmark reads of Redis around a round: its main thread's CPU seconds (it runs every command and script) and the size of its append-only log. */
async function redisCounters(url: string): Promise<{ cpuSeconds: number; aofBytes: number }> {
  const redis = new Redis(url);
  const info = await redis.info();
  await redis.quit();
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return { cpuSeconds: field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread'), aofBytes: field('aof_current_size') };
}

interface Measured {
  rate: number;
  /** CPU time per cycle in µs: Redis's main thread, and this (client) process. */
  redisMicros: number;
  clientMicros: number;
  /** Bytes Redis appended to its log per cycle (0 with the log off). */
  aofBytes: number;
}

/**
 * Keeps Redis's log rewrites out of the rounds. With AOF on, Redis rewrites its log in a forked
 * child once it has grown past a threshold (by default: doubled, and at least 64 MB). A round
 * appends 35-64 MB, so on a server that already holds data a rewrite can start inside a round,
 * at a point that depends on how much each implementation writes, and on two cores the child
 * and the fork's copying take CPU from the round. So the automatic rewrites are held off while
 * the benchmark runs (the setting is restored after) and the log is rewritten before each round
 * instead. Every write is still appended and flushed to the log each second as configured; only
 * the compaction moves.
 */
async function withoutAutomaticRewrites<T>(url: string, run: () => Promise<T>): Promise<T> {
  const redis = new Redis(url);
  const [, percentage] = (await redis.config('GET', 'auto-aof-rewrite-percentage')) as [string, string];
  await redis.config('SET', 'auto-aof-rewrite-percentage', '0');
  try {
    return await run();
  } finally {
    await redis.config('SET', 'auto-aof-rewrite-percentage', percentage);
    await redis.quit();
  }
}

/** Rewrites Redis's log (when it keeps one) and waits for the rewrite to finish. */
async function rewriteLog(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const persistence = await redis.info('persistence');
    if (!/aof_enabled:1/.test(persistence)) return;
    if (!/aof_rewrite_in_progress:1/.test(persistence)) await redis.bgrewriteaof();
    for (;;) {
      const state = await redis.info('persistence');
      if (/aof_rewrite_in_progress:0/.test(state) && /aof_rewrite_scheduled:0/.test(state)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await redis.quit();
  }
}

/** Runs one round on a freshly rewritten log, measuring its rate and what Redis and this process spent per cycle. */
async function measured(url: string, run: () => Promise<number>): Promise<Measured> {
  await rewriteLog(url);
  const redisBefore = await redisCounters(url);
  const clientBefore = process.cpuUsage();
  const rate = await run();
  const client = process.cpuUsage(clientBefore);
  const redisAfter = await redisCounters(url);
  return {
    rate,
    redisMicros: (redisAfter.cpuSeconds - redisBefore.cpuSeconds) / EXECUTIONS * 1e6,
    clientMicros: (client.user + client.system) / EXECUTIONS,
    aofBytes: (redisAfter.aofBytes - redisBefore.aofBytes) / EXECUTIONS,
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  await redis.quit();
}

/**
 * The store benchmark in two regimes, with 16 slots and 16 completers each: 16 producers, who
 * outpace the slots, so a few executions wait (the busy path: admitted into the queue,
 * dispatched when a release frees a slot); and 8 producers, whom the slots keep up with, so
 * an admission is dispatched in the same call (the path a deployment spends most of its time
 * on). BENCH_PRODUCERS=16,8 sets the regimes.
 */
export async function runStateStoreBenchmark(): Promise<void> {
  const regimes = (process.env.BENCH_PRODUCERS ?? `${CONCURRENCY},${Math.max(1, Math.floor(CONCURRENCY / 2))}`).split(',').map(Number);
  for (const producers of regimes) await runRegime(producers);
}

async function runRegime(producers: number): Promise<void> {
  const url = redisUrl();
  const limits: QueueLimits = {
    maxQueueSize: EXECUTIONS,
    maxExecutionsPerUser: EXECUTIONS,
    staleTimeoutSeconds: 3600,
    maxActiveExecutions: CONCURRENCY,
    recentIdsCapacity: 100_000,
    leaseSeconds: 3600,
    dispatchGraceSeconds: 3600,
  };
  const fairLimits: QueueLimits = { ...limits, queueOrder: 'fair' };
  const names = ['redis store', 'redis store, fair', 'bullmq', 'in-memory store', 'redis store, unpacked', 'redis store, fair, unpacked'];
  const results: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const redisMicros: Record<string, number[]> = Object.fromEntries(names.filter((name) => name !== 'in-memory store').map((name) => [name, []]));
  const clientMicros: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const aofBytes: Record<string, number[]> = Object.fromEntries(names.filter((name) => name !== 'in-memory store').map((name) => [name, []]));
  const redisStoreCycles = async (storeLimits: QueueLimits, callsPerBatch?: number) => {
    const prefix = `bench-${randomUUID().slice(0, 8)}:`;
    const store = new RedisQueueStateStore(storeLimits, { url, keyPrefix: prefix, callsPerBatch });
    try {
      return await storeCycles(store, workload(), producers);
    } finally {
      await store.close();
      await deleteKeys(url, prefix);
    }
  };
  const record = (name: string, round: Measured) => {
    results[name]!.push(round.rate);
    redisMicros[name]?.push(round.redisMicros);
    clientMicros[name]!.push(round.clientMicros);
    aofBytes[name]?.push(round.aofBytes);
  };
  const runs: Record<string, () => Promise<number>> = {
    'redis store': () => redisStoreCycles(limits),
    'redis store, fair': () => redisStoreCycles(fairLimits),
    bullmq: () => bullmqCycles(url, workload(), producers),
    'in-memory store': () => storeCycles(new InMemoryQueueStateStore(limits), workload(), producers),
    // The Redis store sending each admission and release alone: what packing them gains.
    'redis store, unpacked': () => redisStoreCycles(limits, 1),
    'redis store, fair, unpacked': () => redisStoreCycles(fairLimits, 1),
  };
  // One unrecorded warm-up round (compilers, connections, Redis's memory), then the measured
  // rounds, each in a different order so no implementation always runs first or last.
  // BENCH_ONLY=1,2 runs only those implementations (by index in `names`), e.g. to profile one;
  // by default the first four (the unpacked rows are for comparing builds: BENCH_ONLY=0,1,2,4,5).
  const only = (process.env.BENCH_ONLY ?? '0,1,2,3').split(',');
  const chosen = names.filter((_, index) => only.includes(String(index)));
  await withoutAutomaticRewrites(url, async () => {
    for (let round = -1; round < ROUNDS; round++) {
      const order = chosen.map((_, index) => chosen[(index + Math.max(round, 0)) % chosen.length]!);
      for (const name of order) {
        const result = await measured(url, runs[name]!);
        if (round >= 0) record(name, result);
      }
    }
  });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const bull = results.bullmq!.length > 0 ? median(results.bullmq!) : Number.NaN;
  console.log(`\nScheduling cycles/s (admit + dispatch + release), ${EXECUTIONS} executions, ${USERS} users, ${producers} producers, ${CONCURRENCY} slots and completers, median of ${ROUNDS} rounds, Redis ${url}`);
  printTable(
    ['implementation', 'cycles/s (median)', 'rounds', 'vs BullMQ', 'Redis CPU µs/cycle', 'client CPU µs/cycle', 'log bytes/cycle'],
    Object.entries(results).filter(([, values]) => values.length > 0).map(([name, values]) => [
      name,
      Math.round(median(values)).toLocaleString('en-US'),
      values.map((v) => Math.round(v)).join(' / '),
      Number.isNaN(bull) ? '—' : `${(median(values) / bull).toFixed(2)}×`,
      redisMicros[name] ? median(redisMicros[name]).toFixed(1) : '—',
      median(clientMicros[name]!).toFixed(1),
      aofBytes[name] ? Math.round(median(aofBytes[name])).toLocaleString('en-US') : '—',
    ]),
  );
}
