import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AnyEvent } from '../../src/contracts/event-registry.js';
import { podNameFor } from '../../src/ports/pod-runtime.port.js';
import type { KubernetesPodRuntime } from '../../src/kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { createPodCommand, FakeKubelet, startRuntime, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import type { RecordingPublisher } from '../builders/recording-publisher.js';
import { eventually } from '../builders/standalone-app.js';

jest.setTimeout(60_000);

/**
 * The Kubernetes pod runtime against a real kube-apiserver (with etcd). There is no kubelet or
 * scheduler: the test binds pods and writes their status as they would.
 */
describe('Kubernetes pod runtime against a real API server', () => {
  let kubeConfig: KubeConfig;
  let kubelet: FakeKubelet;
  const runtimes: KubernetesPodRuntime[] = [];

  beforeAll(() => {
    kubeConfig = testKubeConfig();
    kubelet = new FakeKubelet(kubeConfig);
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.onApplicationShutdown()));
  });

  async function start(overrides: Parameters<typeof startRuntime>[2] = {}) {
    const started = startRuntime(kubeConfig, undefined, overrides);
    runtimes.push(started.runtime);
    await started.runtime.whenWatching();
    return started;
  }

  const eventsFor = (publisher: RecordingPublisher, executionId: string) =>
    publisher.events.filter((event) => (event as { execution_id?: string }).execution_id === executionId);
  const typesFor = (publisher: RecordingPublisher, executionId: string) => eventsFor(publisher, executionId).map((event) => event.event_type);

  it('creates a locked-down pod and its script ConfigMap, owned by the pod, and reports pod_created', async () => {
    const { runtime, publisher } = await start();
    const command = createPodCommand({ cpu_limit: '', memory_request: '' });
    await runtime.createPod(command);
    const pod = await kubelet.read(command.execution_id);
    const spec = pod.spec!;
    const container = spec.containers[0]!;
    expect(spec).toMatchObject({
      restartPolicy: 'Never',
      activeDeadlineSeconds: command.timeout_seconds,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
    // Empty fields in the command fall back to the configured defaults.
    expect(container.resources).toEqual({ limits: { cpu: '1', memory: command.memory_limit }, requests: { cpu: command.cpu_request, memory: '128Mi' } });
    expect(spec.volumes!.filter((volume) => volume.emptyDir).map((volume) => volume.emptyDir!.sizeLimit)).toEqual(['64Mi', '64Mi']);
    expect(pod.metadata!.labels).toMatchObject({ 'execution-queue/execution-id': command.execution_id, 'execution-queue/user': 'Alice-Example.com', 'execution-queue/language': 'python' });
    expect(pod.metadata!.annotations).toMatchObject({ 'execution-queue/saga-id': command.saga_id, 'execution-queue/user-id': 'Alice@Example.com' });

    const configMap = await kubelet.core.readNamespacedConfigMap({ name: podNameFor(command.execution_id), namespace: TEST_NAMESPACE });
    expect(configMap.data![command.runtime_filename]).toBe(command.script);
    expect(configMap.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid })]);
    expect(typesFor(publisher, command.execution_id)).toEqual(['pod_created']);
  });

  it('runs an execution whose id is 64 characters long (the longest allowed) from creation to its terminal event', async () => {
    const { runtime, publisher } = await start();
    const executionId = `k8s-long-${randomUUID().replace(/-/g, '')}`.padEnd(64, '0');
    expect(executionId).toHaveLength(64);
    const command = createPodCommand({ execution_id: executionId });
    await runtime.createPod(command);
    const pod = await kubelet.read(executionId);
    expect(pod.metadata!.labels!['execution-queue/execution-id']!.length).toBeLessThanOrEqual(63);
    expect(pod.metadata!.annotations!['execution-queue/execution-id']).toBe(executionId);
    await kubelet.schedule(executionId);
    await kubelet.running(executionId);
    await kubelet.finished(executionId, 'Succeeded', 0);
    await eventually(() => typesFor(publisher, executionId).includes('execution_completed'), 'execution_completed', 10_000);
    expect(typesFor(publisher, executionId)).toEqual(['pod_created', 'pod_scheduled', 'pod_running', 'execution_completed']);
  });

  it('treats a repeated command as a no-op and reports a manifest the API server rejects as execution_failed', async () => {
    const { runtime, publisher } = await start();
    const command = createPodCommand();
    await runtime.createPod(command);
    await runtime.createPod(command);
    expect(typesFor(publisher, command.execution_id)).toEqual(['pod_created']);

    const rejected = createPodCommand({ cpu_limit: 'lots' });
    await runtime.createPod(rejected);
    const [failure] = eventsFor(publisher, rejected.execution_id) as Extract<AnyEvent, { event_type: 'execution_failed' }>[];
    expect(failure).toMatchObject({ event_type: 'execution_failed', error_type: 'system_error', exit_code: -1 });
    expect(failure!.error_message).toMatch(/refused the pod: .*quantities must match/);
  });

  it.each([
    ['a successful run', 'Succeeded', 0, undefined, undefined, { event_type: 'execution_completed', exit_code: 0 }],
    ['a non-zero exit', 'Failed', 3, 'Error', undefined, { event_type: 'execution_failed', exit_code: 3, error_type: 'script_error' }],
    ['an OOM kill', 'Failed', 137, 'OOMKilled', undefined, { event_type: 'execution_failed', exit_code: 137, error_type: 'resource_limit' }],
    ['the deadline', 'Failed', 137, undefined, 'DeadlineExceeded', { event_type: 'execution_timeout' }],
    ['an eviction', 'Failed', 137, undefined, 'Evicted', { event_type: 'execution_failed', error_type: 'system_error' }],
  ] as const)('maps %s to its terminal event, after pod_scheduled and pod_running', async (_name, phase, exitCode, reason, podReason, expected) => {
    const { runtime, publisher } = await start();
    const command = createPodCommand();
    await runtime.createPod(command);
    await kubelet.schedule(command.execution_id);
    await eventually(() => typesFor(publisher, command.execution_id).includes('pod_scheduled'), 'pod_scheduled', 10_000);
    await kubelet.running(command.execution_id);
    await eventually(() => typesFor(publisher, command.execution_id).includes('pod_running'), 'pod_running', 10_000);
    await kubelet.finished(command.execution_id, phase, exitCode, reason, podReason);
    await eventually(() => typesFor(publisher, command.execution_id).length === 4, 'the terminal event', 10_000);
    const events = eventsFor(publisher, command.execution_id);
    expect(events.map((event) => event.event_type).slice(0, 3)).toEqual(['pod_created', 'pod_scheduled', 'pod_running']);
    expect(events[3]).toMatchObject(expected);
    // No kubelet serves logs here: the event says so instead of failing.
    expect((events[3] as { stderr: string }).stderr).toMatch(/container log unavailable/);
    // Recorded on the pod right after the event went out, so a restarted worker will not repeat it.
    await eventually(async () => (await kubelet.read(command.execution_id)).metadata!.annotations!['execution-queue/reported'] !== undefined, 'the reported mark', 5_000);
  });

  it('reports a container that can never start (image pull failure) as a system error', async () => {
    const { runtime, publisher } = await start();
    const command = createPodCommand();
    await runtime.createPod(command);
    await kubelet.setStatus(command.execution_id, {
      phase: 'Pending',
      containerStatuses: [{ name: 'executor', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }],
    });
    await eventually(() => typesFor(publisher, command.execution_id).includes('execution_failed'), 'execution_failed', 10_000);
    expect(eventsFor(publisher, command.execution_id).at(-1)).toMatchObject({ error_type: 'system_error', error_message: expect.stringContaining('ImagePullBackOff') });
  });

  it('reports a pod that finished while no worker ran exactly once, across two restarts', async () => {
    const first = await start();
    const command = createPodCommand();
    await first.runtime.createPod(command);
    await first.runtime.onApplicationShutdown();
    runtimes.splice(runtimes.indexOf(first.runtime), 1);
    await kubelet.finished(command.execution_id, 'Succeeded', 0);

    const second = await start();
    await eventually(() => typesFor(second.publisher, command.execution_id).includes('execution_completed'), 'completion reported after restart', 10_000);
    await second.runtime.onApplicationShutdown();
    runtimes.splice(runtimes.indexOf(second.runtime), 1);

    const third = await start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(typesFor(third.publisher, command.execution_id)).toEqual([]);
    expect(typesFor(second.publisher, command.execution_id)).toEqual(['execution_completed']);
  });

  it('deletes the pod of a cancelled execution, and a delete of a missing pod is fine', async () => {
    const { runtime } = await start();
    const command = createPodCommand();
    await runtime.createPod(command);
    await runtime.deletePod({ ...command, event_type: 'delete_pod_command', reason: 'cancelled', pod_name: podNameFor(command.execution_id), namespace: TEST_NAMESPACE } as never);
    await expect(kubelet.read(command.execution_id)).rejects.toMatchObject({ code: 404 });
    await runtime.deletePod({ ...command, event_type: 'delete_pod_command', reason: 'again', pod_name: podNameFor(command.execution_id), namespace: TEST_NAMESPACE } as never);
  });

  // Needs the API server scripts/infra/kube.sh started, since it stops and starts it.
  const ownApiServer = existsSync('.infra/kube-apiserver.pid');
  (ownApiServer ? it : it.skip)('misses no transition when the API server restarts under the watch (connection dropped, old version gone)', async () => {
    const { runtime, publisher } = await start();
    const before = createPodCommand();
    await runtime.createPod(before);
    execFileSync('bash', ['-c', 'source scripts/infra/common.sh && stop_recorded kube-apiserver'], { stdio: 'ignore' });
    const { KUBECONFIG: _ours, ...environment } = process.env;
    execFileSync('bash', ['scripts/infra/kube.sh', 'up'], { stdio: 'ignore', env: environment });
    // Changes made right after the restart, while the watch is reconnecting: it resumes from a
    // version the new server's cache no longer holds (410) and must list again to see them.
    await kubelet.finished(before.execution_id, 'Failed', 2, 'Error');
    const after = createPodCommand();
    await runtime.createPod(after);
    await kubelet.finished(after.execution_id, 'Succeeded', 0);
    await eventually(() => typesFor(publisher, before.execution_id).includes('execution_failed') && typesFor(publisher, after.execution_id).includes('execution_completed'), 'both outcomes', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(typesFor(publisher, before.execution_id)).toEqual(['pod_created', 'execution_failed']);
    expect(typesFor(publisher, after.execution_id)).toEqual(['pod_created', 'execution_completed']);
  });

  it('deletes finished pods after the configured delay', async () => {
    const { runtime, publisher } = await start({ finishedPodTtlSeconds: 1 });
    const command = createPodCommand();
    await runtime.createPod(command);
    await kubelet.finished(command.execution_id, 'Succeeded', 0);
    await eventually(() => typesFor(publisher, command.execution_id).includes('execution_completed'), 'completion', 10_000);
    await eventually(async () => (await kubelet.read(command.execution_id).then(() => false, () => true)), 'the finished pod deleted', 10_000);
  });
});
