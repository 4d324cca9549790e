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
 * - latency: 500 requests/s offered for BENCH_SECONDS, request -> create_pod_command (relays:
 *   in -> out), with slots free;
 * - every execution's dispatch decisions are counted (distinct event ids): none may be lost or
 *   doubled, with one coordinator or two sharing the Redis state.
 * BENCH_ONLY=2,3 runs only those setups (by index); BENCH_CPU_PROFILE=<dir> profiles the coordinators.
 */
const PARTITIONS = 3;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUN_MS = 10;
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
        if (fresh.length > 0) setTimeout(() => void this.complete(fresh), RUN_MS);
      },
    });
  }

  private async complete(executionIds: string[]): Promise<void> {
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

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  doubled: number;
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

    const sentAt = new Map<string, number>();
    const total = RATE * SECONDS;
    const offeredFrom = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = offeredFrom + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = `l-${i}`;
      sentAt.set(id, performance.now());
      void producer.send({ topic: pipelines[0]!.inputTopic, acks: -1, messages: [{ key: id, value: JSON.stringify(sampleRequestEvent(id, `user-${i % 50}`)) }] });
    }
    await waitFor(() => [...sentAt.keys()].every((id) => reader.arrivals.has(id)), 120_000);
    const latencies = [...sentAt].map(([id, sent]) => reader.arrivals.get(id)! - sent).sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;

    // Saturation last: what it leaves behind (completions still being handled) would otherwise
    // sit in the latency figures.
    const ids = Array.from({ length: MESSAGES }, (_, i) => `s-${i}`);
    const started = await produceAll(producer, pipelines[0]!.inputTopic, ids);
    await waitFor(() => done(ids), 300_000);
    const perSecond = ids.length / ((Math.max(...ids.map(finishedAt)) - started) / 1000);

    const all = [...warmUp, ...ids, ...sentAt.keys()];
    const lost = setup.kind === 'coordinator' ? all.filter((id) => !reader.decisions.has(id)).length : all.filter((id) => !reader.arrivals.has(id)).length;
    const doubled = setup.kind === 'coordinator' ? all.filter((id) => (reader.decisions.get(id)?.size ?? 0) > 1).length : 0;
    return { perSecond, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1]!, lost, doubled };
  } finally {
    await reader.stop();
    for (const pipeline of pipelines) await pipeline.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  }
}

export async function runFullPathBenchmark(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',');
  const setups = SETUPS.filter((setup, index) => !only || only.includes(String(index)));
  const results = new Map<Setup, Result[]>(setups.map((setup) => [setup, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const setup of setups) {
      const result = await measure(setup);
      results.get(setup)!.push(result);
      console.error(`[bench] round ${round} ${setup.name}: ${result.perSecond.toFixed(0)}/s, p50 ${result.p50.toFixed(1)} p99 ${result.p99.toFixed(1)} ms, lost ${result.lost}, doubled ${result.doubled}`);
    }
  }
  const ceiling = median(results.get(setups[0]!)!.map((result) => result.perSecond));
  console.log(
    `Kafka ${brokers().join(',')}, ${PARTITIONS} partitions, each pipeline in its own process; medians of ${ROUNDS} alternating rounds. ` +
      `Saturation: ${MESSAGES} requests at once, ${MAX_ACTIVE} slots, runs of ${RUN_MS} ms (coordinators: until the last completion). ` +
      `Latency: ${RATE} requests/s for ${SECONDS} s, request -> create_pod_command (relays: in -> out). Lost and doubled: summed over all rounds.`,
  );
  printTable(
    ['pipeline', 'saturation /s', `vs ${setups[0]!.name.split(' (')[0]}`, 'p50 ms', 'p99 ms', 'max ms', 'lost', 'doubled'],
    setups.map((setup) => {
      const runs = results.get(setup)!;
      const perSecond = median(runs.map((run) => run.perSecond));
      return [
        setup.name,
        perSecond.toFixed(0),
        `${((perSecond / ceiling) * 100).toFixed(0)}%`,
        median(runs.map((run) => run.p50)).toFixed(1),
        median(runs.map((run) => run.p99)).toFixed(1),
        median(runs.map((run) => run.max)).toFixed(1),
        String(runs.reduce((sum, run) => sum + run.lost, 0)),
        String(runs.reduce((sum, run) => sum + run.doubled, 0)),
      ];
    }),
  );
}
