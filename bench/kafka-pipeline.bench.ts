import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Consumer, type Kafka as KafkaClient, type Producer } from 'kafkajs';
import { ensureTopics } from '../src/kafka-transport/kafka-topics.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestEvent } from './sample-request.js';

/**
 * End-to-end throughput and latency over a real broker: the coordinator (execution_requested
 * in, create_pod_command out) against a raw kafkajs relay (consume a topic, produce each message
 * to another), on the same broker, with the same partitions and consumer concurrency.
 */
const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 3;
const THROUGHPUT_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OFFERED_RATE = Number(process.env.BENCH_RATE ?? 200);
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export function brokers(): string[] {
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) return fromEnv.split(',');
  try {
    const line = readFileSync('.infra/env', 'utf8').split('\n').find((entry) => entry.startsWith('KAFKA_BROKERS='));
    if (line) return line.slice('KAFKA_BROKERS='.length).split(',');
  } catch {
    // fall through
  }
  throw new Error('No broker: run `npm run infra:up` first or set KAFKA_BROKERS');
}

/** Made on first use, so that importing this suite (bench/run.ts imports them all) needs no broker. */
let client: KafkaClient | undefined;
export function kafka(): KafkaClient {
  return (client ??= new Kafka({ clientId: 'bench', brokers: brokers(), logLevel: logLevel.NOTHING }));
}

export type PipelineKind = 'relay' | 'batched-relay' | 'coordinator';

export interface Pipeline {
  name: string;
  inputTopic: string;
  outputTopic: string;
  stop(): Promise<void>;
}

function requestJson(id: string): string {
  return JSON.stringify(sampleRequestEvent(id, `user-${id.length % 50}`));
}

/**
 * Starts a pipeline in its own process (bench/kafka-pipeline.process.ts), so the load generator
 * and the measured pipeline do not share an event loop or a heap.
 */
export async function startPipeline(kind: PipelineKind, prefix: string, env: Record<string, string> = {}): Promise<Pipeline> {
  // BENCH_NODE_ARGS: options for node itself (a CPU profile), which NODE_OPTIONS may not carry.
  const nodeArgs = env.BENCH_NODE_ARGS ? env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL('./kafka-pipeline.process.js', import.meta.url)), kind, prefix, brokers().join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`${kind} pipeline exited early (${code})`)));
  });
  const topics = kind === 'coordinator' ? { inputTopic: `${prefix}execution_requested`, outputTopic: `${prefix}create_pod_command` } : { inputTopic: `${prefix}in`, outputTopic: `${prefix}out` };
  return {
    name: { relay: 'raw kafkajs relay', 'batched-relay': 'batched kafkajs relay', coordinator: 'coordinator' }[kind],
    ...topics,
    stop: async () => {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Collects output keys with their arrival time. */
async function watch(topic: string, group: string): Promise<{ arrivals: Map<string, number>; consumer: Consumer }> {
  const arrivals = new Map<string, number>();
  const consumer = kafka().consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ partitionsConsumedConcurrently: PARTITIONS, eachMessage: async ({ message }) => void arrivals.set(message.key!.toString(), performance.now()) });
  return { arrivals, consumer };
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function throughput(pipeline: Pipeline, producer: Producer, count: number): Promise<number> {
  const tag = randomUUID().slice(0, 8);
  const { arrivals, consumer } = await watch(pipeline.outputTopic, `watch-${tag}`);
  const ids = Array.from({ length: count }, (_, i) => `t-${tag}-${i}`);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 500) {
    await producer.send({ topic: pipeline.inputTopic, acks: -1, messages: ids.slice(i, i + 500).map((id) => ({ key: id, value: requestJson(id) })) });
  }
  await waitFor(() => ids.every((id) => arrivals.has(id)), 180_000);
  const seconds = (Math.max(...ids.map((id) => arrivals.get(id)!)) - started) / 1000;
  await consumer.disconnect();
  return ids.length / seconds;
}

async function latency(pipeline: Pipeline, producer: Producer): Promise<{ p50: number; p99: number }> {
  const tag = randomUUID().slice(0, 8);
  const { arrivals, consumer } = await watch(pipeline.outputTopic, `watch-${tag}`);
  const sentAt = new Map<string, number>();
  const total = OFFERED_RATE * LATENCY_SECONDS;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / OFFERED_RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = `l-${tag}-${i}`;
    sentAt.set(id, performance.now());
    producer.send({ topic: pipeline.inputTopic, acks: -1, messages: [{ key: id, value: requestJson(id) }] }).catch((error: Error) => {
      console.error(`send of ${id} to ${pipeline.inputTopic} failed: ${error.message}`);
      sentAt.delete(id);
    });
  }
  await waitFor(() => [...sentAt.keys()].every((id) => arrivals.has(id)), 120_000);
  await consumer.disconnect();
  const latencies = [...sentAt].map(([id, sent]) => arrivals.get(id)! - sent).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

interface Measurement {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measurePipeline(kind: 'relay' | 'coordinator'): Promise<Measurement> {
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  const admin = kafka().admin();
  await admin.connect();
  if (kind === 'relay') {
    await admin.createTopics({ waitForLeaders: true, topics: [`${prefix}in`, `${prefix}out`].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  } else {
    await ensureTopics(admin, { prefix, partitions: PARTITIONS, replicationFactor: 1 });
  }
  // A producer per pipeline: kafkajs keeps refreshing metadata of topics it has sent to, and
  // the previous pipeline's topics are deleted.
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const pipeline = await startPipeline(kind, prefix);
  try {
    await throughput(pipeline, producer, Math.min(2000, THROUGHPUT_MESSAGES));
    const perSecond = await throughput(pipeline, producer, THROUGHPUT_MESSAGES);
    const { p50, p99 } = await latency(pipeline, producer);
    return { perSecond, p50, p99 };
  } finally {
    await pipeline.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function runKafkaBenchmark(): Promise<void> {
  const runs: Record<'relay' | 'coordinator', Measurement[]> = { relay: [], coordinator: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of (process.env.BENCH_ONLY ? [process.env.BENCH_ONLY] : ['relay', 'coordinator']) as ('relay' | 'coordinator')[]) {
      const result = await measurePipeline(kind);
      runs[kind].push(result);
      console.error(`[bench] round ${round} ${kind}: ${result.perSecond.toFixed(0)} msg/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
    }
  }
  const summary = (kind: 'relay' | 'coordinator') => ({
    perSecond: median(runs[kind].map((run) => run.perSecond)),
    p50: median(runs[kind].map((run) => run.p50)),
    p99: median(runs[kind].map((run) => run.p99)),
  });
  if (runs.relay.length === 0 || runs.coordinator.length === 0) return;
  const relay = summary('relay');
  const coordinator = summary('coordinator');
  console.log(
    `Kafka ${brokers().join(',')}, ${PARTITIONS} partitions, each pipeline in its own process; medians of ${ROUNDS} alternating rounds; ` +
      `throughput over ${THROUGHPUT_MESSAGES} messages; latency at ${OFFERED_RATE} msg/s for ${LATENCY_SECONDS} s`,
  );
  printTable(
    ['metric', 'raw kafkajs relay', 'coordinator', 'coordinator / relay'],
    [
      ['throughput (msg/s)', relay.perSecond.toFixed(0), coordinator.perSecond.toFixed(0), `${((coordinator.perSecond / relay.perSecond) * 100).toFixed(0)}%`],
      ['latency p50 (ms)', relay.p50.toFixed(1), coordinator.p50.toFixed(1), `${(coordinator.p50 / relay.p50).toFixed(2)}×`],
      ['latency p99 (ms)', relay.p99.toFixed(1), coordinator.p99.toFixed(1), `${(coordinator.p99 / relay.p99).toFixed(2)}×`],
    ],
  );
}
