import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { loadConfig } from '../../src/config/load-config.js';
import type { CreatePodCommand } from '../../src/contracts/pod.events.js';
import { KubernetesPodRuntime } from '../../src/kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { EXECUTOR_SELECTOR } from '../../src/kubernetes-worker/kubernetes/pod-manifest.js';
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

export function startRuntime(kubeConfig: KubeConfig, publisher = new RecordingPublisher(), overrides: { finishedPodTtlSeconds?: number; maxConcurrentCreates?: number; outputLimitBytes?: number } = {}) {
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

/** A create_pod_command for a fresh execution id: python printing `hello` on the test node. */
export function createPodCommand(overrides: Partial<CreatePodCommand> = {}): CreatePodCommand {
  const request = new ExecutionRequestBuilder()
    .withId(`k8s-${randomUUID().slice(0, 18)}`)
    .withUser('Alice@Example.com')
    .with('runtime_image', runtimeImage('python', '3.11'))
    .with('script', 'print("hello")')
    .build();
  return { ...request, event_type: 'create_pod_command', saga_id: randomUUID(), ...overrides } as unknown as CreatePodCommand;
}

/**
 * The image a built-in language runs in on the test node: scripts/infra/node.sh builds them
 * and records the table as RUNTIME_IMAGES (`language=image` with `{version}`).
 */
export function runtimeImage(language: string, version: string): string {
  const table = runtimeImagesFromEnv();
  const template = table.map((entry) => entry.split('=')).find(([name]) => name === language)?.[1];
  if (!template) throw new Error(`RUNTIME_IMAGES names no image for ${language}: run the integration tests through \`npm test\` (or \`npm run infra:up\`)`);
  return template.replace('{version}', version);
}

/** RUNTIME_IMAGES as a list of entries, for options that take it. */
export function runtimeImagesFromEnv(): string[] {
  const value = process.env.RUNTIME_IMAGES;
  if (!value) throw new Error('RUNTIME_IMAGES is not set: the test node (scripts/infra/node.sh) records it');
  return value.split(',');
}

/** What the test node's languages are called with (the versions scripts/infra/node-images.sh builds). */
export const NODE_LANGUAGES = {
  python: { version: '3.11', filename: 'main.py', command: ['python', '/scripts/main.py'] },
  node: { version: '18', filename: 'main.js', command: ['node', '/scripts/main.js'] },
  ruby: { version: '3.1', filename: 'main.rb', command: ['ruby', '/scripts/main.rb'] },
  bash: { version: '5.2', filename: 'main.sh', command: ['bash', '/scripts/main.sh'] },
} as const;

/** A create_pod_command for a fresh execution id that runs `script` in `language` on the test node. */
export function scriptCommand(language: keyof typeof NODE_LANGUAGES, script: string, overrides: Partial<CreatePodCommand> = {}): CreatePodCommand {
  const runtime = NODE_LANGUAGES[language];
  return createPodCommand({
    script,
    language,
    language_version: runtime.version,
    runtime_image: runtimeImage(language, runtime.version),
    runtime_command: [...runtime.command],
    runtime_filename: runtime.filename,
    ...overrides,
  });
}

/** Reads what the worker made on the cluster. */
export class ClusterReader {
  readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  pod(executionId: string): Promise<V1Pod> {
    return this.core.readNamespacedPod({ name: podNameFor(executionId), namespace: TEST_NAMESPACE });
  }

  configMap(executionId: string): Promise<V1ConfigMap> {
    return this.core.readNamespacedConfigMap({ name: podNameFor(executionId), namespace: TEST_NAMESPACE });
  }

  /** True once neither the pod nor its ConfigMap exists. */
  async gone(executionId: string): Promise<boolean> {
    const missing = (read: Promise<unknown>) => read.then(() => false, (error: { code?: number }) => error.code === 404);
    return (await missing(this.pod(executionId))) && (await missing(this.configMap(executionId)));
  }

  /** The executor pods of the test namespace that are running now. */
  async runningPods(): Promise<string[]> {
    const list = await this.core.listNamespacedPod({ namespace: TEST_NAMESPACE, labelSelector: EXECUTOR_SELECTOR, fieldSelector: 'status.phase=Running' });
    return list.items.map((pod) => pod.metadata!.name!);
  }
}

/** The etcd revision that created an object of the test namespace (needs the etcd of `npm run infra:up`). */
export async function creationRevision(resource: 'pods' | 'configmaps', executionId: string): Promise<number> {
  const url = process.env.ETCD_URL;
  if (!url) throw new Error('ETCD_URL is not set: this test needs the etcd started by `npm run infra:up` (not an external KUBECONFIG)');
  const key = Buffer.from(`/registry/${resource}/${TEST_NAMESPACE}/${podNameFor(executionId)}`).toString('base64');
  const range = (await (await fetch(`${url}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key, keys_only: true }) })).json()) as { kvs?: { create_revision: string }[] };
  const revision = range.kvs?.[0]?.create_revision;
  if (revision === undefined) throw new Error(`etcd holds no ${resource} object for ${executionId}`);
  return Number(revision);
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
