import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { startKafkaService, useKafkaTestbed } from '../builders/kafka-harness.js';
import { ClusterReader, NODE_LANGUAGES, runtimeImage, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import { eventually } from '../builders/standalone-app.js';
import { WIRE_FIXTURES } from '../fixtures/wire-events.fixtures.js';

jest.setTimeout(120_000);

/** An execution_requested that runs `script` in bash on the test node. */
function bashRequest(id: string, script: string): Record<string, unknown> {
  const bash = NODE_LANGUAGES.bash;
  return new ExecutionRequestBuilder()
    .withId(id)
    .with('language', 'bash')
    .with('language_version', bash.version)
    .with('runtime_image', runtimeImage('bash', bash.version))
    .with('runtime_command', [...bash.command])
    .with('runtime_filename', bash.filename)
    .with('script', script)
    .build() as unknown as Record<string, unknown>;
}

/**
 * The whole path on real parts: execution_requested through Kafka to the coordinator, a
 * create_pod_command to the worker, a pod that runs on the test node, its output back as
 * execution_completed, and the next execution dispatched.
 */
describe('Kafka, coordinator, worker and a real node end to end', () => {
  const bed = useKafkaTestbed();

  it('runs a request to execution_completed, dispatches the next one, and cancelling it deletes its pod', async () => {
    const cluster = new ClusterReader(testKubeConfig());
    await bed.probe.createTopics();
    await bed.probe.start();
    const defaults = loadConfig({});
    bed.service = await startKafkaService(bed.prefix, {
      podRuntime: 'kubernetes',
      k8sNamespace: TEST_NAMESPACE,
      queue: { ...defaults.queue, maxActiveExecutions: 1 },
    });
    const first = `e2e-${randomUUID().slice(0, 12)}`;
    const second = `e2e-${randomUUID().slice(0, 12)}`;
    await bed.probe.sendEvent(bashRequest(first, 'sleep 1\necho "from kafka"\n'));
    await bed.probe.sendEvent(bashRequest(second, 'sleep 120\n'));

    // The first test on a fresh broker also waits for both consumer groups to join.
    await eventually(() => bed.probe.on('pod_created', first).length === 1 || bed.probe.on('execution_failed', first).length > 0, 'the first pod created', 90_000).catch((error: Error) => {
      throw new Error(`${error.message}; saw: ${bed.probe.messages.map((message) => `${message.topic}/${message.key}`).join(', ')}`);
    });
    expect(bed.probe.on('execution_failed', first).map((message) => message.json.error_message)).toEqual([]);
    expect((await cluster.pod(first)).spec!.containers[0]!.securityContext!.readOnlyRootFilesystem).toBe(true);
    expect(bed.probe.on('create_pod_command', second)).toHaveLength(0);

    await eventually(() => bed.probe.on('execution_completed', first).length === 1, 'the first execution completed', 60_000);
    expect(bed.probe.on('execution_completed', first)[0]!.json).toMatchObject({ exit_code: 0, stdout: 'from kafka\n', stderr: '' });
    await eventually(() => bed.probe.on('pod_created', second).length === 1, 'the second pod created', 30_000);
    await eventually(async () => (await cluster.pod(second)).status?.phase === 'Running', 'the second pod running', 60_000);

    await bed.probe.sendEvent({ ...WIRE_FIXTURES.execution_cancelled!, event_id: randomUUID(), execution_id: second, aggregate_id: second });
    await eventually(() => bed.probe.on('delete_pod_command', second).length === 1, 'delete_pod_command', 30_000);
    await eventually(() => cluster.gone(second), 'the cancelled pod and its ConfigMap deleted', 30_000);
    expect(bed.probe.on('execution_completed', first)).toHaveLength(1);
  });
});
