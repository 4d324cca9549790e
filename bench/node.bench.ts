import { randomUUID } from 'node:crypto';
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { loadConfig } from '../src/config/load-config.js';
import type { AnyEvent } from '../src/contracts/event-registry.js';
import type { CreatePodCommand } from '../src/contracts/pod.events.js';
import { KubernetesPodRuntime } from '../src/kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { configMapFor, MANAGED_BY_LABEL, podFor } from '../src/kubernetes-worker/kubernetes/pod-manifest.js';
import type { EventPublisher } from '../src/ports/event-publisher.port.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestEvent } from './sample-request.js';
import { benchKubeConfig, nodeRuntimeImage } from './test-node.js';
import { pool, percentile } from './concurrency.js';

/**
 * A trivial script (`print(42)`) on the test node of `npm run infra:up`, through the worker
 * (create_pod_command → pod_running → execution_completed, with the log read and the result
 * parsed) beside a bare client that creates the same ConfigMap and pod and watches the pod to
 * its end, in the same run. Runs alternate between the two, one at a time; then each runs
 * BENCH_NODE_PARALLEL_RUNS executions 8 in flight for throughput.
 */
const RUNS = Number(process.env.BENCH_NODE_RUNS ?? 100);
const PARALLEL_RUNS = Number(process.env.BENCH_NODE_PARALLEL_RUNS ?? 80);
const IN_FLIGHT = 8;
const NAMESPACE = 'integr8scode';
/** Bare pods carry another managed-by value, so the worker's watch never sees them. */
const BARE_MANAGER = 'node-bench-bare-client';

interface Timing {
  running: number;
  finished: number;
}

function command(): CreatePodCommand {
  const id = `nb-${randomUUID().slice(0, 20)}`;
  const request = sampleRequestEvent(id, 'bench-user');
  return { ...request, script: 'print(42)', runtime_image: nodeRuntimeImage('python', '3.11'), event_type: 'create_pod_command', saga_id: randomUUID() } as CreatePodCommand;
}

/** Runs `each` over `items` with `concurrency` in flight. */

/** Resolves per name when a pod reaches Running and when it ends, from one watch of the bare pods. */
class BarePodClock {
  private readonly waiters = new Map<string, { started: number; running?: number; done: (timing: Timing) => void }>();
  private abort: AbortController | undefined;

  constructor(private readonly watch: Watch) {}

  async start(): Promise<void> {
    this.abort = await this.watch.watch(`/api/v1/namespaces/${NAMESPACE}/pods`, { labelSelector: `${MANAGED_BY_LABEL}=${BARE_MANAGER}` }, (_type: string, pod: V1Pod) => {
      const waiter = this.waiters.get(pod.metadata!.name!);
      if (!waiter) return;
      const phase = pod.status?.phase;
      if (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed') waiter.running ??= performance.now() - waiter.started;
      if (phase === 'Succeeded' || phase === 'Failed') {
        this.waiters.delete(pod.metadata!.name!);
        waiter.done({ running: waiter.running!, finished: performance.now() - waiter.started });
      }
    }, () => undefined);
  }

  expect(name: string, started: number): Promise<Timing> {
    return new Promise((done) => this.waiters.set(name, { started, done }));
  }

  stop(): void {
    this.abort?.abort();
  }
}

export async function runNodeBenchmark(): Promise<void> {
  const config = benchKubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const options = loadConfig({});
  const settings = { namespace: NAMESPACE, ...options.kubernetes, finishedPodTtlSeconds: 1, shardLeaseGroup: `node-bench-${process.pid}` };

  // The worker's events, timed from the moment its create_pod_command is handed over.
  const workerStarts = new Map<string, number>();
  const workerRunning = new Map<string, number>();
  const workerDone = new Map<string, (timing: Timing) => void>();
  const publisher: EventPublisher = {
    publish: async (event: AnyEvent) => {
      const id = (event as { execution_id?: string }).execution_id;
      if (!id || !workerStarts.has(id)) return;
      const elapsed = performance.now() - workerStarts.get(id)!;
      if (event.event_type === 'pod_running') workerRunning.set(id, elapsed);
      if (event.event_type === 'execution_completed' || event.event_type === 'execution_failed' || event.event_type === 'execution_timeout') {
        if (event.event_type !== 'execution_completed' || event.stdout !== '42\n') throw new Error(`run ${id} ended as ${event.event_type}: ${JSON.stringify(event).slice(0, 400)}`);
        workerDone.get(id)?.({ running: workerRunning.get(id) ?? elapsed, finished: elapsed });
      }
    },
    publishAll: async (events: AnyEvent[]) => {
      for (const event of events) await publisher.publish(event);
    },
    afterSent: async (task) => task(),
  };
  const runtime = new KubernetesPodRuntime(config, publisher, { serviceName: 'bench', serviceVersion: '1', environment: 'test' }, settings);
  runtime.start();
  await runtime.whenWatching();
  const clock = new BarePodClock(new Watch(config));
  await clock.start();

  const viaWorker = async (): Promise<Timing> => {
    const c = command();
    const done = new Promise<Timing>((resolve) => workerDone.set(c.execution_id, resolve));
    workerStarts.set(c.execution_id, performance.now());
    await runtime.createPod(c);
    return done;
  };
  const viaBareClient = async (): Promise<Timing> => {
    const c = command();
    const pod = podFor(c, settings);
    const configMap = configMapFor(c, settings);
    pod.metadata!.labels![MANAGED_BY_LABEL] = BARE_MANAGER;
    configMap.metadata!.labels![MANAGED_BY_LABEL] = BARE_MANAGER;
    const started = performance.now();
    const timing = clock.expect(pod.metadata!.name!, started);
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: configMap });
    await core.createNamespacedPod({ namespace: NAMESPACE, body: pod });
    const result = await timing;
    await core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: NAMESPACE, gracePeriodSeconds: 0 });
    await core.deleteNamespacedConfigMap({ name: configMap.metadata!.name!, namespace: NAMESPACE });
    return result;
  };

  try {
    const sequential = { worker: [] as Timing[], bare: [] as Timing[] };
    for (let run = 0; run < RUNS; run++) {
      // Alternating, so a slower stretch of the machine touches both alike.
      sequential.worker.push(await viaWorker());
      sequential.bare.push(await viaBareClient());
    }
    const throughput = async (once: () => Promise<Timing>) => {
      const started = performance.now();
      await pool(Array.from({ length: PARALLEL_RUNS }), IN_FLIGHT, async () => void (await once()));
      return PARALLEL_RUNS / ((performance.now() - started) / 1000);
    };
    const workerRate = await throughput(viaWorker);
    const bareRate = await throughput(viaBareClient);

    const row = (name: string, timings: Timing[], rate: number) => [
      name,
      percentile(timings.map((t) => t.running), 50).toFixed(0),
      percentile(timings.map((t) => t.running), 99).toFixed(0),
      percentile(timings.map((t) => t.finished), 50).toFixed(0),
      percentile(timings.map((t) => t.finished), 99).toFixed(0),
      rate.toFixed(2),
    ];
    console.log(`\nprint(42) on the test node: ${RUNS} runs each, one at a time and alternating; then ${PARALLEL_RUNS} runs each with ${IN_FLIGHT} in flight`);
    printTable(
      ['path', 'to running p50 ms', 'p99 ms', 'to finished p50 ms', 'p99 ms', `runs/s (${IN_FLIGHT} in flight)`],
      [row('worker (create_pod_command → execution_completed)', sequential.worker, workerRate), row('bare client (same ConfigMap and pod, watched)', sequential.bare, bareRate)],
    );
    const ratio = (worker: number, bare: number) => `${((worker / bare - 1) * 100).toFixed(1)}%`;
    const finishedP50 = (timings: Timing[]) => percentile(timings.map((t) => t.finished), 50);
    console.log(`worker adds ${ratio(finishedP50(sequential.worker), finishedP50(sequential.bare))} to the start-to-finish p50, ${ratio(bareRate, workerRate)} to the time per run at ${IN_FLIGHT} in flight`);
  } finally {
    clock.stop();
    await runtime.onApplicationShutdown();
  }
}
