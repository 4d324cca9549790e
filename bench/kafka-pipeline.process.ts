import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import kafkajs from 'kafkajs';
import { loadConfig } from '../src/config/load-config.js';
import { ExecutionQueueModule } from '../src/execution-queue.module.js';
import { STANDALONE_HTTP } from '../src/execution-queue.module-definition.js';
import { createTransportStrategy } from '../src/transport-strategy.factory.js';
import { traceStalls } from './stall-trace.js';

/**
 * One measured pipeline of the Kafka and full-path benchmarks, run as its own process:
 * `node kafka-pipeline.process.js relay|batched-relay|coordinator <topic prefix> <brokers>`.
 * Prints `ready` once consuming; stops on SIGTERM. The coordinator reads BENCH_STORE (`memory`,
 * default, or `redis` with BENCH_REDIS_URL and BENCH_REDIS_PREFIX, shared by replicas) and
 * BENCH_MAX_ACTIVE.
 */
const [kind, prefix, brokerList] = process.argv.slice(2) as ['relay' | 'batched-relay' | 'coordinator', string, string];
traceStalls(kind);
const brokers = brokerList.split(',');
const PARTITIONS = 3;

async function relay(): Promise<() => Promise<void>> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench-relay', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${prefix}relay` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}in`, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachMessage: async ({ message }) => {
      await producer.send({ topic: `${prefix}out`, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
    },
  });
  return async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}

/**
 * The ceiling: what kafkajs and the broker can do on this machine. Each partition's batch goes
 * out in one produce request (acks -1) before the batch's offsets are committed.
 */
async function batchedRelay(): Promise<() => Promise<void>> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench-batched-relay', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${prefix}batched-relay` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}in`, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const messages = batch.messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers }));
      await producer.send({ topic: `${prefix}out`, acks: -1, messages });
      resolveOffset(batch.lastOffset());
      await heartbeat();
    },
  });
  return async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}

async function coordinator(): Promise<() => Promise<void>> {
  const defaults = loadConfig({});
  const options = {
    ...defaults,
    transport: 'kafka' as const,
    kafka: { ...defaults.kafka, brokers, topicPrefix: prefix, topicPartitions: PARTITIONS },
    adminTokens: ['bench-token-0123456789abcdef'],
    stateStore: process.env.BENCH_STORE === 'redis' ? ('redis' as const) : ('memory' as const),
    redisUrl: process.env.BENCH_REDIS_URL ?? defaults.redisUrl,
    redisKeyPrefix: process.env.BENCH_REDIS_PREFIX ?? defaults.redisKeyPrefix,
    housekeepingSeconds: 0,
    queue: { ...defaults.queue, maxActiveExecutions: Number(process.env.BENCH_MAX_ACTIVE ?? 1_000_000), maxQueueSize: 1_000_000, maxExecutionsPerUser: 1_000_000 },
  };
  const app = await NestFactory.create(ExecutionQueueModule.forRoot({ ...options, roles: ['coordinator'], http: STANDALONE_HTTP }), { logger: ['error'] });
  app.connectMicroservice({ strategy: createTransportStrategy(app) });
  await app.init();
  await app.startAllMicroservices();
  return () => app.close();
}

const stop = await (kind === 'relay' ? relay() : kind === 'batched-relay' ? batchedRelay() : coordinator());
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
