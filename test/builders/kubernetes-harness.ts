import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1ContainerStatus, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import { loadConfig } from '../../src/config/load-config.js';
import type { CreatePodCommand } from '../../src/contracts/pod.events.js';
import { KubernetesPodRuntime } from '../../src/kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { podNameFor } from '../../src/ports/pod-runtime.port.js';
import { ExecutionRequestBuilder } from './execution-request.builder.js';
import { RecordingPublisher } from './recording-publisher.js';

/** The API server scripts/infra/up.sh started (or the cluster KUBECONFIG names). */
export function testKubeConfig(): KubeConfig {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error('KUBECONFIG is not set: run the integration tests through `npm test` (or `npm run infra:up`)');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}

export const TEST_NAMESPACE = process.env.K8S_NAMESPACE ?? 'integr8scode';

export function startRuntime(kubeConfig: KubeConfig, publisher = new RecordingPublisher(), overrides: { finishedPodTtlSeconds?: number; maxConcurrentCreates?: number } = {}) {
  const options = loadConfig({});
  const runtime = new KubernetesPodRuntime(kubeConfig, publisher, { serviceName: 'k8s-worker-test', serviceVersion: '0', environment: 'test' }, {
    namespace: TEST_NAMESPACE,
    ...options.kubernetes,
    finishedPodTtlSeconds: 600,
    // A lease group of its own: runtimes of other tests never share (or wait for) its shards.
    shardLeaseGroup: `test-${randomUUID().slice(0, 8)}`,
    ...overrides,
  });
  runtime.start();
  return { runtime, publisher };
}

/** A create_pod_command for a fresh execution id. */
export function createPodCommand(overrides: Partial<CreatePodCommand> = {}): CreatePodCommand {
  const request = new ExecutionRequestBuilder().withId(`k8s-${randomUUID().slice(0, 18)}`).withUser('Alice@Example.com').build();
  return { ...request, event_type: 'create_pod_command', saga_id: randomUUID(), ...overrides } as unknown as CreatePodCommand;
}

/** Plays the kubelet: writes pod status through the status subresource. */
export class FakeKubelet {
  readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  read(executionId: string): Promise<V1Pod> {
    return this.core.readNamespacedPod({ name: podNameFor(executionId), namespace: TEST_NAMESPACE });
  }

  /** Binds the pod to a node, as the scheduler would. */
  async schedule(executionId: string, node = 'node-a'): Promise<void> {
    await this.core.createNamespacedPodBinding({
      name: podNameFor(executionId),
      namespace: TEST_NAMESPACE,
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: podNameFor(executionId) }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    });
  }

  async setStatus(executionId: string, status: V1PodStatus): Promise<void> {
    await this.core.patchNamespacedPodStatus(
      { name: podNameFor(executionId), namespace: TEST_NAMESPACE, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  running(executionId: string) {
    return this.setStatus(executionId, { phase: 'Running', containerStatuses: [container({ running: { startedAt: new Date() } }, true)] });
  }

  finished(executionId: string, phase: 'Succeeded' | 'Failed', exitCode: number, reason?: string, podReason?: string) {
    const startedAt = new Date(Date.now() - 1500);
    return this.setStatus(executionId, {
      phase,
      reason: podReason,
      containerStatuses: [container({ terminated: { exitCode, reason, startedAt, finishedAt: new Date() } }, false)],
    });
  }
}

function container(state: V1ContainerStatus['state'], ready: boolean): V1ContainerStatus {
  return { name: 'executor', image: 'python:3.11-slim', imageID: '', ready, restartCount: 0, state };
}

/**
 * Compacts the test etcd up to its current revision, so every older resource version is gone
 * (the API server then answers a watch resuming from one with 410). Needs the etcd that
 * `npm run infra:up` starts (ETCD_URL); a cluster of one's own (KUBECONFIG) does not expose it.
 */
export async function compactEtcd(): Promise<number> {
  const url = process.env.ETCD_URL;
  if (!url) throw new Error('ETCD_URL is not set: this test needs the etcd started by `npm run infra:up` (not an external KUBECONFIG)');
  const range = (await (await fetch(`${url}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) })).json()) as { header: { revision: string } };
  const revision = Number(range.header.revision);
  const compaction = await fetch(`${url}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(revision), physical: true }) });
  if (!compaction.ok) throw new Error(`etcd compaction failed: ${compaction.status} ${await compaction.text()}`);
  return revision;
}
