import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AnyEvent } from '../../src/contracts/event-registry.js';
import { podNameFor } from '../../src/ports/pod-runtime.port.js';
import type { KubernetesPodRuntime } from '../../src/kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { ClusterReader, createPodCommand, creationRevision, scriptCommand, startRuntime, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import type { RecordingPublisher } from '../builders/recording-publisher.js';
import { eventually } from '../builders/standalone-app.js';

jest.setTimeout(60_000);

/**
 * The Kubernetes pod runtime on the test cluster: a real API server, scheduler, controller
 * manager and a kubelet with containerd (scripts/infra/node.sh). Pods really run.
 */
describe('Kubernetes pod runtime on a real node', () => {
  let kubeConfig: KubeConfig;
  let cluster: ClusterReader;
  const runtimes: KubernetesPodRuntime[] = [];

  beforeAll(() => {
    kubeConfig = testKubeConfig();
    cluster = new ClusterReader(kubeConfig);
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
  const TERMINAL = ['execution_completed', 'execution_failed', 'execution_timeout'];
  const terminalFor = (publisher: RecordingPublisher, executionId: string) =>
    eventsFor(publisher, executionId).filter((event) => TERMINAL.includes(event.event_type)) as Extract<AnyEvent, { event_type: 'execution_completed' | 'execution_failed' | 'execution_timeout' }>[];
  const finished = (publisher: RecordingPublisher, executionId: string, timeoutMs = 60_000) =>
    eventually(() => terminalFor(publisher, executionId).length > 0, `the terminal event of ${executionId}`, timeoutMs);

  it('creates the script ConfigMap before the locked-down pod that mounts it, hands it to the pod, and runs it to completion', async () => {
    const { runtime, publisher } = await start();
    const command = createPodCommand({ cpu_limit: '', memory_request: '' });
    await runtime.createPod(command);
    const pod = await cluster.pod(command.execution_id);
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

    const configMap = await cluster.configMap(command.execution_id);
    expect(configMap.data!.script).toBe(command.script);
    // Written first: etcd numbers every creation, so its revisions order the two.
    expect(await creationRevision('configmaps', command.execution_id)).toBeLessThan(await creationRevision('pods', command.execution_id));
    expect(configMap.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid })]);

    await finished(publisher, command.execution_id);
    expect(typesFor(publisher, command.execution_id)).toEqual(expect.arrayContaining(['pod_created', 'pod_scheduled', 'execution_completed']));
    expect(terminalFor(publisher, command.execution_id)[0]).toMatchObject({ exit_code: 0, stdout: 'hello\n', stderr: '' });
    // Recorded on the pod right after the event went out, so a restarted worker will not repeat it.
    await eventually(async () => (await cluster.pod(command.execution_id)).metadata!.annotations!['execution-queue/reported'] !== undefined, 'the reported mark', 5_000);
  });

  it('runs an execution whose id is 64 characters long (the longest allowed) from creation to its terminal event', async () => {
    const { runtime, publisher } = await start();
    const executionId = `k8s-long-${randomUUID().replace(/-/g, '')}`.padEnd(64, '0');
    expect(executionId).toHaveLength(64);
    const command = createPodCommand({ execution_id: executionId });
    await runtime.createPod(command);
    const pod = await cluster.pod(executionId);
    expect(pod.metadata!.labels!['execution-queue/execution-id']!.length).toBeLessThanOrEqual(63);
    expect(pod.metadata!.annotations!['execution-queue/execution-id']).toBe(executionId);
    await finished(publisher, executionId);
    expect(typesFor(publisher, executionId)[0]).toBe('pod_created');
    expect(typesFor(publisher, executionId).at(-1)).toBe('execution_completed');
    expect(typesFor(publisher, executionId).filter((type) => type === 'execution_completed')).toHaveLength(1);
  });

  it('treats a repeated command as a no-op and reports a manifest the API server rejects as execution_failed, leaving no ConfigMap behind', async () => {
    const { runtime, publisher } = await start();
    const command = createPodCommand();
    await runtime.createPod(command);
    await runtime.createPod(command);
    expect(typesFor(publisher, command.execution_id)[0]).toBe('pod_created');
    expect(typesFor(publisher, command.execution_id).filter((type) => type === 'pod_created')).toHaveLength(1);

    const rejected = createPodCommand({ cpu_limit: 'lots' });
    await runtime.createPod(rejected);
    const [failure] = eventsFor(publisher, rejected.execution_id) as Extract<AnyEvent, { event_type: 'execution_failed' }>[];
    expect(failure).toMatchObject({ event_type: 'execution_failed', error_type: 'system_error', exit_code: -1 });
    expect(failure!.error_message).toMatch(/refused the pod: .*quantities must match/);
    expect(await cluster.gone(rejected.execution_id)).toBe(true);
  });

  it('cuts output beyond the limit with a marker saying how much was dropped', async () => {
    const { runtime, publisher } = await start({ outputLimitBytes: 1024 });
    const command = scriptCommand('python', 'import sys\nsys.stdout.write("a" * 3000)\nsys.stderr.write("short")\n');
    await runtime.createPod(command);
    await finished(publisher, command.execution_id);
    const [event] = terminalFor(publisher, command.execution_id);
    expect(event!.stdout).toBe(`${'a'.repeat(1024)}\n[execution-queue] output cut: 1976 more bytes were written and dropped (limit 1024 bytes)`);
    expect(event!.stderr).toBe('short');
  });

  it('reports a pod that finished while no worker ran exactly once, across two restarts', async () => {
    const first = await start();
    const command = scriptCommand('bash', 'sleep 1\necho done\n');
    await first.runtime.createPod(command);
    await first.runtime.onApplicationShutdown();
    runtimes.splice(runtimes.indexOf(first.runtime), 1);
    await eventually(async () => (await cluster.pod(command.execution_id)).status?.phase === 'Succeeded', 'the pod finished with no worker watching', 60_000);

    const second = await start();
    await eventually(() => typesFor(second.publisher, command.execution_id).includes('execution_completed'), 'completion reported after restart', 10_000);
    expect(terminalFor(second.publisher, command.execution_id)[0]!.stdout).toBe('done\n');
    await second.runtime.onApplicationShutdown();
    runtimes.splice(runtimes.indexOf(second.runtime), 1);

    const third = await start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(typesFor(third.publisher, command.execution_id)).toEqual([]);
    expect(typesFor(second.publisher, command.execution_id)).toEqual(['execution_completed']);
  });

  it('deletes the pod of a cancelled execution and its ConfigMap, and a delete of a missing pod is fine', async () => {
    const { runtime } = await start();
    const command = scriptCommand('bash', 'sleep 60\n');
    await runtime.createPod(command);
    await eventually(async () => (await cluster.pod(command.execution_id)).status?.phase === 'Running', 'the pod running', 60_000);
    await runtime.deletePod({ ...command, event_type: 'delete_pod_command', reason: 'cancelled', pod_name: podNameFor(command.execution_id), namespace: TEST_NAMESPACE } as never);
    await eventually(() => cluster.gone(command.execution_id), 'the pod and its ConfigMap deleted', 30_000);
    await runtime.deletePod({ ...command, event_type: 'delete_pod_command', reason: 'again', pod_name: podNameFor(command.execution_id), namespace: TEST_NAMESPACE } as never);
  });

  // Needs the API server scripts/infra/kube.sh started, since it stops and starts it.
  const ownApiServer = existsSync('.infra/kube-apiserver.pid');
  (ownApiServer ? it : it.skip)('misses no transition when the API server restarts under the watch (connection dropped, old version gone)', async () => {
    const { runtime, publisher } = await start();
    // Ends while the API server is down or the watch is reconnecting: the watch resumes from a
    // version the new server's cache no longer holds (410) and must list again to see it.
    const before = scriptCommand('bash', 'sleep 3\nexit 2\n');
    await runtime.createPod(before);
    await eventually(async () => (await cluster.pod(before.execution_id)).status?.phase === 'Running', 'the first pod running', 60_000);
    execFileSync('bash', ['-c', 'source scripts/infra/common.sh && stop_recorded kube-apiserver'], { stdio: 'ignore' });
    const { KUBECONFIG: _ours, ...environment } = process.env;
    execFileSync('bash', ['scripts/infra/kube.sh', 'up'], { stdio: 'ignore', env: environment });
    const after = createPodCommand();
    await runtime.createPod(after);
    await eventually(() => typesFor(publisher, before.execution_id).includes('execution_failed') && typesFor(publisher, after.execution_id).includes('execution_completed'), 'both outcomes', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(terminalFor(publisher, before.execution_id).map((event) => [event.event_type, (event as { exit_code: number }).exit_code])).toEqual([['execution_failed', 2]]);
    expect(terminalFor(publisher, after.execution_id).map((event) => event.event_type)).toEqual(['execution_completed']);
  });

  it('deletes finished pods and their ConfigMaps after the configured delay', async () => {
    const { runtime, publisher } = await start({ finishedPodTtlSeconds: 1 });
    const command = createPodCommand();
    await runtime.createPod(command);
    await finished(publisher, command.execution_id);
    expect(await cluster.gone(command.execution_id)).toBe(false);
    await eventually(() => cluster.gone(command.execution_id), 'the finished pod and its ConfigMap deleted', 15_000);
  });
});
