import { randomUUID } from 'node:crypto';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { loadConfig } from '../src/config/load-config.js';
import type { AnyEvent } from '../src/contracts/event-registry.js';
import type { CreatePodCommand } from '../src/contracts/pod.events.js';
import { KubernetesPodRuntime } from '../src/kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { EXECUTOR_SELECTOR, podFor } from '../src/kubernetes-worker/kubernetes/pod-manifest.js';
import type { EventPublisher } from '../src/ports/event-publisher.port.js';
import { printTable } from './queue-core.bench.js';
import { sampleRequestEvent } from './sample-request.js';
import { benchKubeConfig, infraValue, nodeRuntimeImage } from './test-node.js';
import { pool, percentile } from './concurrency.js';

/**
 * Time from `create_pod_command` to `pod_created` (pod and script ConfigMap stored by the API
 * server), and creation throughput with the default concurrency, against the real API server
 * of `npm run infra:up`. Its node is cordoned meanwhile, so the pods stay Pending and the figures
 * are the API server's alone (`npm run bench -- node` runs them). Reference: the bare client creating the same pod manifest (no
 * ConfigMap, no events) with the same concurrency.
 */
const PODS = Number(process.env.BENCH_PODS ?? 200);
const NAMESPACE = 'integr8scode';

function command(): CreatePodCommand {
  const id = `bench-${randomUUID().slice(0, 20)}`;
  return { ...sampleRequestEvent(id, 'bench-user'), runtime_image: nodeRuntimeImage('python', '3.11'), event_type: 'create_pod_command', saga_id: randomUUID() } as CreatePodCommand;
}

export async function runPodCreationBenchmark(): Promise<void> {
  const config = benchKubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const options = loadConfig({});
  const created = new Map<string, number>();
  const publisher: EventPublisher = {
    publish: async (event: AnyEvent) => {
      if (event.event_type === 'pod_created') created.set(event.execution_id, performance.now());
    },
    publishAll: async (events: AnyEvent[]) => {
      for (const event of events) await publisher.publish(event);
    },
    afterSent: async (task) => task(),
  };
  const settings = { namespace: NAMESPACE, ...options.kubernetes };
  const runtime = new KubernetesPodRuntime(config, publisher, { serviceName: 'bench', serviceVersion: '1', environment: 'test' }, settings);
  const rows: string[][] = [];

  const measure = async (name: string, concurrency: number, create: (c: CreatePodCommand) => Promise<void>) => {
    const commands = Array.from({ length: PODS }, command);
    const latencies: number[] = [];
    const started = performance.now();
    await pool(commands, concurrency, async (c) => {
      const at = performance.now();
      await create(c);
      latencies.push(performance.now() - at);
    });
    const seconds = (performance.now() - started) / 1000;
    rows.push([name, String(concurrency), (PODS / seconds).toFixed(0), percentile(latencies, 50).toFixed(1), percentile(latencies, 99).toFixed(1)]);
    await core.deleteCollectionNamespacedPod({ namespace: NAMESPACE, labelSelector: EXECUTOR_SELECTOR, gracePeriodSeconds: 0 });
    await core.deleteCollectionNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: EXECUTOR_SELECTOR });
  };

  const viaRuntime = async (c: CreatePodCommand) => {
    await runtime.createPod(c);
    if (!created.has(c.execution_id)) throw new Error(`no pod_created for ${c.execution_id}`);
  };
  const bare = async (c: CreatePodCommand) => {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: podFor(c, settings) });
  };
  const node = infraValue('K8S_NODE');
  const cordon = (unschedulable: boolean) =>
    node ? core.patchNode({ name: node, body: { spec: { unschedulable } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)) : Promise.resolve();
  await cordon(true);
  try {
    await measure('worker, one at a time', 1, viaRuntime);
    await measure('bare client, one at a time', 1, bare);
    await measure(`worker, default concurrency`, settings.maxConcurrentCreates, viaRuntime);
    await measure(`bare client, same concurrency`, settings.maxConcurrentCreates, bare);
  } finally {
    await cordon(false);
  }
  console.log(`\ncreate_pod_command → pod_created against kube-apiserver (${PODS} pods per row; ConfigMap, pod and the ConfigMap's owner for the worker, pod only for the bare client)`);
  printTable(['path', 'in flight', 'pods/s', 'p50 ms', 'p99 ms'], rows);
}
