import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp } from '../src/admin/http-app.setup.js';
import { loadConfig } from '../src/config/load-config.js';
import { createEvent } from '../src/contracts/event-factory.js';
import { PRIORITIES } from '../src/contracts/priority.constants.js';
import { ExecutionCoordinator } from '../src/coordinator/execution-coordinator.service.js';
import { ExecutionQueueModule } from '../src/execution-queue.module.js';
import { STANDALONE_HTTP } from '../src/execution-queue.module-definition.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestBody } from './sample-request.js';

/**
 * Latency of the admin reads with one execution pending and with 100k pending, measured by
 * autocannon in a separate process against the service on loopback. The one-entry queue is
 * the reference: the reads should cost about the same at 100k.
 */
const TOKEN = 'bench-admin-token-0123456789';
const PENDING = Number(process.env.BENCH_PENDING ?? 100_000);
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

interface LoadResult {
  p50: number;
  p99: number;
  requestsPerSecond: number;
  non2xx: number;
}

/** Runs autocannon in its own process; the service keeps serving in this one meanwhile. */
async function load(url: string): Promise<LoadResult> {
  const child = spawn(
    process.execPath,
    ['node_modules/autocannon/autocannon.js', '--json', '-c', '10', '-d', String(DURATION_SECONDS), '-H', `Authorization=Bearer ${TOKEN}`, url],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`autocannon failed: ${stderr}`);
  const report = JSON.parse(stdout) as { latency: { p50: number; p99: number }; requests: { average: number }; non2xx: number };
  return { p50: report.latency.p50, p99: report.latency.p99, requestsPerSecond: report.requests.average, non2xx: report.non2xx };
}

async function fill(coordinator: ExecutionCoordinator, count: number): Promise<void> {
  const source = { serviceName: 'bench', serviceVersion: '0', environment: 'test' as const };
  for (let i = 0; i < count; i++) {
    const request = createEvent(
      'execution_requested',
      sampleRequestBody(randomUUID(), PRIORITIES[i % PRIORITIES.length]!),
      { userId: `user-${i % 5000}` },
      source,
      new Date(),
    );
    await coordinator.handleRequested(request);
  }
}

export async function runAdminApiBenchmark(): Promise<void> {
  const options = {
    ...loadConfig({}),
    adminTokens: [TOKEN],
    queue: { ...loadConfig({}).queue, maxQueueSize: PENDING + 1, maxExecutionsPerUser: PENDING },
  };
  const app = await NestFactory.create(ExecutionQueueModule.forRoot({ ...options, http: STANDALONE_HTTP }), { logger: false });
  configureHttpApp(app, options.serviceVersion);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const coordinator = app.get(ExecutionCoordinator);
  await coordinator.hold();

  const routes = [
    ['GET /api/v1/admin/queue', '/api/v1/admin/queue'],
    ['GET pending, page of 50 at offset 50%', `/api/v1/admin/executions/pending?limit=50&offset=${PENDING / 2}`],
    ['GET pending, page of 50, one user', '/api/v1/admin/executions/pending?limit=50&user_id=user-7'],
    ['GET one pending execution', ''],
  ] as const;

  const rows: string[][] = [];
  const measureAll = async (label: string, pending: number) => {
    const firstPending = (await (await fetch(`${base}/api/v1/admin/executions/pending?limit=1&offset=${Math.floor(pending / 2)}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })).json()) as { items: { execution_id: string }[] };
    const results: LoadResult[] = [];
    for (const [, path] of routes) {
      const target = path || `/api/v1/admin/executions/${firstPending.items[0]?.execution_id ?? 'none'}`;
      results.push(await load(`${base}${target}`));
    }
    return { label, results };
  };

  await fill(coordinator, 1);
  const reference = await measureAll('one pending', 1);
  await fill(coordinator, PENDING - 1);
  const full = await measureAll(`${PENDING.toLocaleString('en')} pending`, PENDING);
  await app.close();

  routes.forEach(([name], index) => {
    const single = reference.results[index]!;
    const loaded = full.results[index]!;
    rows.push([
      name,
      `${single.p50} / ${single.p99}`,
      `${loaded.p50} / ${loaded.p99}`,
      loaded.requestsPerSecond.toFixed(0),
      `${(loaded.p50 / Math.max(single.p50, 0.5)).toFixed(2)}×`,
      String(loaded.non2xx + single.non2xx),
    ]);
  });
  console.log(`autocannon, 10 connections, ${DURATION_SECONDS} s per route, loopback; latency in ms`);
  printTable(['route', '1 pending p50 / p99', `${PENDING / 1000}k pending p50 / p99`, `req/s at ${PENDING / 1000}k`, 'p50 ratio', 'non-2xx'], rows);
}
