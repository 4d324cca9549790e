import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { createEvent } from '../src/contracts/event-factory.js';
import { EventType } from '../src/contracts/event-type.constants.js';
import { WireCodec } from '../src/contracts/wire-codec.js';
import { ensureTopics } from '../src/kafka-transport/kafka-topics.js';
import { brokers, kafka, median, startPipeline, waitFor, type Pipeline, type PipelineKind } from './kafka-pipeline.bench.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestEvent } from './sample-request.js';
import { redisUrl } from './state-store.bench.js';
import { traceStalls, wallClockMark } from './stall-trace.js';

/**
 * The path users run, over the real broker and Redis: `execution_requested` produced to Kafka ->
 * coordinator process(es) -> `create_pod_command` consumed by a stand-in worker (here, in the
 * load generator) that answers `execution_completed` after RUN_MS -> the slot goes to the next.
 * Beside it in the same run, two relays of the same messages between two topics: the batched
 * one (one produce request per consumed batch, acks -1: the ceiling of kafkajs and the broker
 * here) and the one that sends each message alone.
 *
 * - saturation: BENCH_MESSAGES requests produced at once, time until the last one's completion
 *   was sent (relays: until the last output arrived); QUEUE_MAX_ACTIVE slots, so completions
 *   must come back for the queue to move;
 * - latency: each of BENCH_RATES requests/s offered for BENCH_SECONDS, request ->
 *   create_pod_command (relays: in -> out), with slots free; before them, unmeasured,
 *   BENCH_WARM_UP_SECONDS of single requests at 500/s, so that what is measured is the steady
 *   state and not V8 compiling the single-request path;
 * - every execution's dispatch decisions are counted (distinct event ids): none may be lost or
 *   doubled, with one coordinator or two sharing the Redis state.
 * BENCH_ONLY=2,3 runs only those setups (by index); BENCH_CPU_PROFILE=<dir> profiles the coordinators;
 * BENCH_TRACE=1 prints each saturation run's dispatches and completions per 100 ms, each offered
 * load's latencies per 100 ms, and every process's garbage collections and event-loop stalls.
 */
const PARTITIONS = 3;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATES = (process.env.BENCH_RATES ?? '100,500,1000').split(',').map(Number);
const DEEP = Number(process.env.BENCH_DEEP ?? 10_000);
const DEEP_RATE = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUN_MS = 10;
/** Before the measured loads, requests offered one at a time, unmeasured. */
const WARM_UP_RATE = 500;
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 5);
const MAX_ACTIVE = Number(process.env.BENCH_MAX_ACTIVE ?? 1000);
const codec = new WireCodec();

interface Setup {
  name: string;
  kind: PipelineKind;
  replicas: number;
  store?: 'memory' | 'redis';
}

const SETUPS: Setup[] = [
  { name: 'batched kafkajs relay (ceiling)', kind: 'batched-relay', replicas: 1 },
  { name: 'per-message kafkajs relay', kind: 'relay', replicas: 1 },
  { name: 'coordinator, in-memory store', kind: 'coordinator', replicas: 1, store: 'memory' },
  { name: 'coordinator, Redis store, 1 replica', kind: 'coordinator', replicas: 1, store: 'redis' },
  { name: 'coordinator, Redis store, 2 replicas', kind: 'coordinator', replicas: 2, store: 'redis' },
];

/**
 * Reads the output topic: arrival time of each key and, for create_pod_command, the distinct
 * event ids per execution. As the stand-in worker it answers each batch of commands with one
 * batch of completions RUN_MS later.
 */
class OutputReader {
  readonly arrivals = new Map<string, number>();
  readonly decisions = new Map<string, Set<string>>();
  readonly completedAt = new Map<string, number>();
  /** While set, new dispatches are kept in `held` instead of being completed after RUN_MS. */
  holding = false;
  readonly held: string[] = [];
  /** Arrival times of new dispatches, in order, while `logging`. */
  logging = false;
  readonly dispatchedAt: number[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly producer: Producer,
    private readonly prefix: string,
  ) {}

  async start(): Promise<void> {
    const isCoordinator = this.pipeline.outputTopic.endsWith('create_pod_command');
    this.consumer = kafka().consumer({ groupId: `reader-${randomUUID().slice(0, 8)}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.pipeline.outputTopic, fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        const fresh: string[] = [];
        for (const message of batch.messages) {
          const key = message.key!.toString();
          if (!this.arrivals.has(key)) this.arrivals.set(key, now);
          if (!isCoordinator) continue;
          const eventId = (JSON.parse(message.value!.toString()) as { event_id: string }).event_id;
          const seen = this.decisions.get(key) ?? new Set<string>();
          if (seen.size === 0) fresh.push(key);
          this.decisions.set(key, seen.add(eventId));
        }
        if (this.logging) this.dispatchedAt.push(...fresh.map(() => now));
        if (fresh.length === 0) return;
        if (this.holding) this.held.push(...fresh);
        else setTimeout(() => void this.complete(fresh), RUN_MS);
      },
    });
  }

  async complete(executionIds: string[]): Promise<void> {
    const source = { serviceName: 'bench-worker', serviceVersion: '1', environment: 'test' as const };
    const messages = executionIds.map((id) => {
      const event = createEvent(
        EventType.ExecutionCompleted,
        { execution_id: id, exit_code: 0, resource_usage: { execution_time_wall_seconds: RUN_MS / 1000, cpu_time_jiffies: 0, clk_tck_hertz: 100, peak_memory_kb: 0 }, stdout: '', stderr: '' },
        { userId: 'bench' },
        source,
        new Date(),
      );
      const wire = codec.encode(event);
      return { key: wire.key, value: wire.value, headers: wire.headers };
    });
    await this.producer.send({ topic: `${this.prefix}execution_completed`, acks: -1, messages });
    const now = performance.now();
    for (const id of executionIds) this.completedAt.set(id, now);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

async function produceAll(producer: Producer, topic: string, ids: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: ids.slice(i, i + 500).map((id) => ({ key: id, value: JSON.stringify(sampleRequestEvent(id, `user-${i % 50}`)) })) });
  }
  return started;
}

interface Latencies {
  p50: number;
  p99: number;
  max: number;
}

interface Result {
  perSecond: number;
  /** By offered requests per second. */
  latency: Map<number, Latencies>;
  /** Completion -> next dispatch with the queue DEEP deep; coordinators only. */
  deep?: Latencies;
  lost: number;
  doubled: number;
}

function latenciesOf(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** Ids of the requests one offered load sends, in sending order. */
function offeredIds(idPrefix: string, rate: number, seconds: number): string[] {
  return Array.from({ length: rate * seconds }, (_, i) => `${idPrefix}-${i}`);
}

/** Requests offered at `rate` per second for `seconds`, each alone; request -> first output. */
async function offeredLoad(producer: Producer, topic: string, reader: OutputReader, rate: number, seconds: number, idPrefix: string): Promise<Latencies> {
  const sentAt = new Map<string, number>();
  const offeredFrom = performance.now();
  for (const [i, id] of offeredIds(idPrefix, rate, seconds).entries()) {
    const wait = offeredFrom + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt.set(id, performance.now());
    void producer.send({ topic, acks: -1, messages: [{ key: id, value: JSON.stringify(sampleRequestEvent(id, `user-${i % 50}`)) }] });
  }
  await waitFor(() => [...sentAt.keys()].every((id) => reader.arrivals.has(id)), 120_000);
  if (process.env.BENCH_TRACE) printLatencyTimeline(sentAt, reader, offeredFrom);
  return latenciesOf([...sentAt].map(([id, sent]) => reader.arrivals.get(id)! - sent));
}

/**
 * The queue DEEP deep behind full slots: every dispatch is held, all requests must be accepted
 * (counted on execution_accepted), then the oldest held executions complete one by one at
 * DEEP_RATE/s. Each frees one slot for the next in the queue.
 */
async function deepQueue(producer: Producer, pipeline: Pipeline, reader: OutputReader, prefix: string): Promise<Latencies> {
  const ids = Array.from({ length: MAX_ACTIVE + DEEP }, (_, i) => `d-${i}`);
  const accepted = new Set<string>();
  const watcher = kafka().consumer({ groupId: `accepted-${randomUUID().slice(0, 8)}` });
  await watcher.connect();
  await watcher.subscribe({ topic: `${prefix}execution_accepted`, fromBeginning: true });
  await watcher.run({ eachBatch: async ({ batch }) => void batch.messages.forEach((message) => accepted.add(message.key!.toString())) });
  try {
    reader.holding = true;
    await produceAll(producer, pipeline.inputTopic, ids);
    await waitFor(() => ids.every((id) => accepted.has(id)) && reader.held.length >= MAX_ACTIVE, 300_000);
    reader.logging = true;
    const sent: number[] = [];
    const total = Math.min(DEEP_RATE * SECONDS, DEEP);
    const from = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = from + (i * 1000) / DEEP_RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sent.push(performance.now());
      void reader.complete([reader.held.shift()!]);
    }
    await waitFor(() => reader.dispatchedAt.length >= total, 120_000);
    return latenciesOf(sent.map((at, k) => reader.dispatchedAt[k]! - at));
  } finally {
    await watcher.disconnect();
  }
}

/** Per 100 ms of sending: how many requests, and the largest and median request -> output latency. */
function printLatencyTimeline(sentAt: Map<string, number>, reader: OutputReader, from: number): void {
  const buckets = new Map<number, number[]>();
  for (const [id, sent] of sentAt) {
    const key = Math.floor((sent - from) / 100) * 100;
    if (!buckets.has(key)) buckets.set(key, []);
    buckets.get(key)!.push(reader.arrivals.get(id)! - sent);
  }
  for (const [at, values] of [...buckets].sort(([a], [b]) => a - b)) {
    const { p50, max } = latenciesOf(values);
    console.error(`[bench]   ${at} ms (at ${wallClockMark(from + at)}): ${values.length} sent, p50 ${p50.toFixed(1)}, max ${max.toFixed(1)} ms`);
  }
}

function printTimeline(ids: string[], reader: OutputReader, started: number): void {
  const buckets = new Map<number, { dispatched: number; completed: number }>();
  const bucket = (at: number | undefined) => {
    const key = Math.floor(((at ?? started) - started) / 100) * 100;
    if (!buckets.has(key)) buckets.set(key, { dispatched: 0, completed: 0 });
    return buckets.get(key)!;
  };
  for (const id of ids) {
    bucket(reader.arrivals.get(id)).dispatched++;
    bucket(reader.completedAt.get(id)).completed++;
  }
  for (const [at, counts] of [...buckets].sort(([a], [b]) => a - b)) console.error(`[bench]   ${at} ms: dispatched ${counts.dispatched}, completed ${counts.completed}`);
}

async function measure(setup: Setup): Promise<Result> {
  const prefix = `fp-${randomUUID().slice(0, 8)}.`;
  const admin = kafka().admin();
  await admin.connect();
  if (setup.kind === 'coordinator') await ensureTopics(admin, { prefix, partitions: PARTITIONS, replicationFactor: 1 });
  else await admin.createTopics({ waitForLeaders: true, topics: [`${prefix}in`, `${prefix}out`].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const profile: Record<string, string> = process.env.BENCH_CPU_PROFILE && setup.kind === 'coordinator' ? { BENCH_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}` } : {};
  const env = { ...profile, BENCH_STORE: setup.store ?? 'memory', BENCH_REDIS_URL: setup.store === 'redis' ? redisUrl() : '', BENCH_REDIS_PREFIX: `{${prefix}}:`, BENCH_MAX_ACTIVE: String(MAX_ACTIVE) };
  const pipelines: Pipeline[] = [];
  for (let replica = 0; replica < setup.replicas; replica++) pipelines.push(await startPipeline(setup.kind, prefix, env));
  const reader = new OutputReader(pipelines[0]!, producer, prefix);
  await reader.start();
  const done = (ids: string[]) => (setup.kind === 'coordinator' ? ids.every((id) => reader.completedAt.has(id)) : ids.every((id) => reader.arrivals.has(id)));
  const finishedAt = (id: string) => (setup.kind === 'coordinator' ? reader.completedAt.get(id)! : reader.arrivals.get(id)!);
  try {
    const warmUp = Array.from({ length: 500 }, (_, i) => `w-${i}`);
    await produceAll(producer, pipelines[0]!.inputTopic, warmUp);
    await waitFor(() => done(warmUp), 120_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // Single requests take other code paths than the batches above; until V8 has compiled
    // them, each costs several times what it does later. Measured: the steady state.
    await offeredLoad(producer, pipelines[0]!.inputTopic, reader, WARM_UP_RATE, WARM_UP_SECONDS, 'wl');
    const latency = new Map<number, Latencies>();
    for (const rate of RATES) latency.set(rate, await offeredLoad(producer, pipelines[0]!.inputTopic, reader, rate, SECONDS, `l${rate}`));

    // Saturation after the offered loads: what it leaves behind (completions still being
    // handled) would otherwise sit in their figures.
    const ids = Array.from({ length: MESSAGES }, (_, i) => `s-${i}`);
    const started = await produceAll(producer, pipelines[0]!.inputTopic, ids);
    await waitFor(() => done(ids), 300_000);
    const perSecond = ids.length / ((Math.max(...ids.map(finishedAt)) - started) / 1000);
    if (process.env.BENCH_TRACE && setup.kind === 'coordinator') printTimeline(ids, reader, started);

    const offered = [...offeredIds('wl', WARM_UP_RATE, WARM_UP_SECONDS), ...RATES.flatMap((rate) => offeredIds(`l${rate}`, rate, SECONDS))];
    const all = [...warmUp, ...ids, ...offered];
    const lost = setup.kind === 'coordinator' ? all.filter((id) => !reader.decisions.has(id)).length : all.filter((id) => !reader.arrivals.has(id)).length;
    const doubled = setup.kind === 'coordinator' ? all.filter((id) => (reader.decisions.get(id)?.size ?? 0) > 1).length : 0;
    // Last, as it leaves the queue deep.
    const deep = setup.kind === 'coordinator' ? await deepQueue(producer, pipelines[0]!, reader, prefix) : undefined;
    return { perSecond, latency, deep, lost, doubled };
  } finally {
    await reader.stop();
    for (const pipeline of pipelines) await pipeline.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  }
}

export async function runFullPathBenchmark(): Promise<void> {
  traceStalls('load generator');
  const only = process.env.BENCH_ONLY?.split(',');
  const setups = SETUPS.filter((setup, index) => !only || only.includes(String(index)));
  const results = new Map<Setup, Result[]>(setups.map((setup) => [setup, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const setup of setups) {
      const result = await measure(setup);
      results.get(setup)!.push(result);
      const shown = [...result.latency].map(([rate, l]) => `${rate}/s p50 ${l.p50.toFixed(1)} p99 ${l.p99.toFixed(1)}`).join(', ');
      const deep = result.deep ? `, deep p50 ${result.deep.p50.toFixed(1)} p99 ${result.deep.p99.toFixed(1)}` : '';
      console.error(`[bench] round ${round} ${setup.name}: ${result.perSecond.toFixed(0)}/s, ${shown}${deep} ms, lost ${result.lost}, doubled ${result.doubled}`);
    }
  }
  const ceiling = median(results.get(setups[0]!)!.map((result) => result.perSecond));
  console.log(
    `Kafka ${brokers().join(',')}, ${PARTITIONS} partitions, each pipeline in its own process; medians of ${ROUNDS} alternating rounds. ` +
      `Saturation: ${MESSAGES} requests at once, ${MAX_ACTIVE} slots, runs of ${RUN_MS} ms (coordinators: until the last completion). ` +
      `Lost and doubled: summed over all rounds.`,
  );
  const medianOf = (runs: Result[], pick: (run: Result) => number) => median(runs.map(pick));
  printTable(
    ['pipeline', 'saturation /s', `vs ${setups[0]!.name.split(' (')[0]}`, 'lost', 'doubled'],
    setups.map((setup) => {
      const runs = results.get(setup)!;
      const perSecond = medianOf(runs, (run) => run.perSecond);
      return [setup.name, perSecond.toFixed(0), `${((perSecond / ceiling) * 100).toFixed(0)}%`, String(runs.reduce((sum, run) => sum + run.lost, 0)), String(runs.reduce((sum, run) => sum + run.doubled, 0))];
    }),
  );
  console.log(
    `\nLatency in ms, p50 / p99 / max (medians of rounds): request -> create_pod_command (relays: in -> out) at each offered load for ${SECONDS} s with slots free; ` +
      `deep: completion -> next create_pod_command, ${MAX_ACTIVE} slots busy and ${DEEP} waiting, completions at ${DEEP_RATE}/s.`,
  );
  const cell = (runs: Result[], pick: (run: Result) => Latencies | undefined) =>
    pick(runs[0]!) === undefined ? 'n/a' : (['p50', 'p99', 'max'] as const).map((q) => medianOf(runs, (run) => pick(run)![q]).toFixed(1)).join(' / ');
  printTable(
    ['pipeline', ...RATES.map((rate) => `${rate}/s`), `deep (${DEEP})`],
    setups.map((setup) => {
      const runs = results.get(setup)!;
      return [setup.name, ...RATES.map((rate) => cell(runs, (run) => run.latency.get(rate))), cell(runs, (run) => run.deep)];
    }),
  );
}
