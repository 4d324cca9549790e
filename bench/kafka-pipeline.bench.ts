import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import kafkajs, { type Consumer, type Producer } from 'kafkajs';
import { loadConfig } from '../src/config/load-config.js';
import { ExecutionQueueModule } from '../src/execution-queue.module.js';
import { ensureTopics } from '../src/kafka-transport/kafka-topics.js';
import { createTransportStrategy } from '../src/transport-strategy.factory.js';
import { printTable } from './queue-core.bench.js';

/**
 * End-to-end throughput and latency over a real broker: the coordinator (execution_requested
 * in, create_pod_command out) against a raw kafkajs relay (consume a topic, produce each message
 * to another), on the same broker, with the same partitions and consumer concurrency.
 */
const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 3;
const THROUGHPUT_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const OFFERED_RATE = Number(process.env.BENCH_RATE ?? 200);
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

function brokers(): string[] {
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

const kafka = new Kafka({ clientId: 'bench', brokers: brokers(), logLevel: logLevel.NOTHING });

interface Pipeline {
  name: string;
  inputTopic: string;
  outputTopic: string;
  stop(): Promise<void>;
}

function requestJson(id: string): string {
  return JSON.stringify({
    event_id: randomUUID(),
    event_type: 'execution_requested',
    event_version: '1.0',
    timestamp: new Date().toISOString(),
    aggregate_id: id,
    metadata: { service_name: 'bench', service_version: '1', user_id: `user-${id.length % 50}`, environment: 'test' },
    execution_id: id,
    script: 'print("hello")',
    language: 'python',
    language_version: '3.11',
    runtime_image: 'python:3.11-slim',
    runtime_command: ['python', '/scripts/main.py'],
    runtime_filename: 'main.py',
    timeout_seconds: 60,
    cpu_limit: '500m',
    memory_limit: '256Mi',
    cpu_request: '100m',
    memory_request: '128Mi',
    priority: 'normal',
  });
}

async function startRelay(prefix: string): Promise<Pipeline> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [`${prefix}in`, `${prefix}out`].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${prefix}relay` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}in`, fromBeginning: true });
  await consumer.run({
    autoCommitThreshold: 1,
    partitionsConsumedConcurrently: PARTITIONS,
    eachMessage: async ({ message }) => {
      await producer.send({ topic: `${prefix}out`, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
    },
  });
  return {
    name: 'raw kafkajs relay',
    inputTopic: `${prefix}in`,
    outputTopic: `${prefix}out`,
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

async function startCoordinator(prefix: string): Promise<Pipeline> {
  const defaults = loadConfig({});
  const options = {
    ...defaults,
    transport: 'kafka' as const,
    kafka: { ...defaults.kafka, brokers: brokers(), topicPrefix: prefix, topicPartitions: PARTITIONS },
    adminTokens: ['bench-token-0123456789abcdef'],
    queue: { ...defaults.queue, maxActiveExecutions: 1_000_000, maxQueueSize: 1_000_000, maxExecutionsPerUser: 1_000_000 },
  };
  const app = await NestFactory.create(ExecutionQueueModule.forRoot({ ...options, roles: ['coordinator'] }), { logger: ['error'] });
  app.connectMicroservice({ strategy: createTransportStrategy(app) });
  await app.init();
  await app.startAllMicroservices();
  return { name: 'coordinator', inputTopic: `${prefix}execution_requested`, outputTopic: `${prefix}create_pod_command`, stop: () => app.close() };
}

/** Collects output keys with their arrival time. */
async function watch(topic: string, group: string): Promise<{ arrivals: Map<string, number>; consumer: Consumer }> {
  const arrivals = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ partitionsConsumedConcurrently: PARTITIONS, eachMessage: async ({ message }) => void arrivals.set(message.key!.toString(), performance.now()) });
  return { arrivals, consumer };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function throughput(pipeline: Pipeline, producer: Producer, runId: string): Promise<number> {
  const { arrivals, consumer } = await watch(pipeline.outputTopic, `${runId}-watch-throughput`);
  const tag = randomUUID().slice(0, 8);
  const ids = Array.from({ length: THROUGHPUT_MESSAGES }, (_, i) => `t-${tag}-${i}`);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 500) {
    await producer.send({ topic: pipeline.inputTopic, acks: -1, messages: ids.slice(i, i + 500).map((id) => ({ key: id, value: requestJson(id) })) });
  }
  await waitFor(() => ids.every((id) => arrivals.has(id)), 180_000);
  const seconds = (Math.max(...ids.map((id) => arrivals.get(id)!)) - started) / 1000;
  await consumer.disconnect();
  return ids.length / seconds;
}

async function latency(pipeline: Pipeline, producer: Producer, runId: string): Promise<{ p50: number; p99: number }> {
  const { arrivals, consumer } = await watch(pipeline.outputTopic, `${runId}-watch-latency`);
  const sentAt = new Map<string, number>();
  const tag = randomUUID().slice(0, 8);
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

export async function runKafkaBenchmark(): Promise<void> {
  const results: { name: string; perSecond: number; p50: number; p99: number }[] = [];
  const order = process.env.BENCH_ONLY === "coordinator" ? [startCoordinator] : [startRelay, startCoordinator];
  for (const start of order) {
    const prefix = `bench-${randomUUID().slice(0, 8)}.`;
    if (start === startCoordinator) {
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, { prefix, partitions: PARTITIONS, replicationFactor: 1 });
      await admin.disconnect();
    }
    // A producer per pipeline: kafkajs keeps refreshing metadata of topics it has sent to, and
    // the previous pipeline's topics are deleted.
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const pipeline = await start(prefix);
    console.error(`[bench] ${pipeline.name} started`);
    await throughput(pipeline, producer, `${prefix}warm`);
    console.error(`[bench] ${pipeline.name} warmed up`);
    const perSecond = await throughput(pipeline, producer, `${prefix}tp`);
    console.error(`[bench] ${pipeline.name} throughput measured`);
    const { p50, p99 } = await latency(pipeline, producer, `${prefix}lat`);
    results.push({ name: pipeline.name, perSecond, p50, p99 });
    await pipeline.stop();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  }
  const [relay, coordinator] = results as [(typeof results)[0], (typeof results)[0]];
  console.log(`Kafka ${brokers().join(',')}, ${PARTITIONS} partitions; throughput over ${THROUGHPUT_MESSAGES} messages; latency at ${OFFERED_RATE} msg/s for ${LATENCY_SECONDS} s`);
  printTable(
    ['metric', relay.name, coordinator.name, 'coordinator / relay'],
    [
      ['throughput (msg/s)', relay.perSecond.toFixed(0), coordinator.perSecond.toFixed(0), `${((coordinator.perSecond / relay.perSecond) * 100).toFixed(0)}%`],
      ['latency p50 (ms)', relay.p50.toFixed(1), coordinator.p50.toFixed(1), `${(coordinator.p50 / relay.p50).toFixed(2)}×`],
      ['latency p99 (ms)', relay.p99.toFixed(1), coordinator.p99.toFixed(1), `${(coordinator.p99 / relay.p99).toFixed(2)}×`],
    ],
  );
}
