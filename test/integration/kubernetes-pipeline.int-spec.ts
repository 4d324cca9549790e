import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { ExecutionRequestBuilder } from '../builders/execution-request.builder.js';
import { startKafkaService, useKafkaTestbed } from '../builders/kafka-harness.js';
import { FakeKubelet, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import { eventually } from '../builders/standalone-app.js';
import { WIRE_FIXTURES } from '../fixtures/wire-events.fixtures.js';

jest.setTimeout(120_000);

/**
 * The whole path on real parts: execution_requested through Kafka to the coordinator, a
 * create_pod_command to the worker, a pod on the real API server, its status (written here, as
 * a kubelet would) back as execution_completed, and the next execution dispatched.
 */
describe('Kafka, coordinator, worker and a real API server end to end', () => {
  const bed = useKafkaTestbed();

  it('runs a request to execution_completed, dispatches the next one, and cancelling it deletes its pod', async () => {
    const kubelet = new FakeKubelet(testKubeConfig());
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
    for (const id of [first, second]) await bed.probe.sendEvent(new ExecutionRequestBuilder().withId(id).build() as unknown as Record<string, unknown>);

    // The first test on a fresh broker also waits for both consumer groups to join.
    await eventually(() => bed.probe.on('pod_created', first).length === 1 || bed.probe.on('execution_failed', first).length > 0, 'the first pod created', 90_000).catch((error: Error) => {
      throw new Error(`${error.message}; saw: ${bed.probe.messages.map((message) => `${message.topic}/${message.key}`).join(', ')}`);
    });
    expect(bed.probe.on('execution_failed', first).map((message) => message.json.error_message)).toEqual([]);
    expect((await kubelet.read(first)).spec!.containers[0]!.securityContext!.readOnlyRootFilesystem).toBe(true);
    expect(bed.probe.on('create_pod_command', second)).toHaveLength(0);

    await kubelet.finished(first, 'Succeeded', 0);
    await eventually(() => bed.probe.on('execution_completed', first).length === 1, 'the first execution completed', 30_000);
    await eventually(() => bed.probe.on('pod_created', second).length === 1, 'the second pod created', 30_000);
    await kubelet.read(second);

    await bed.probe.sendEvent({ ...WIRE_FIXTURES.execution_cancelled!, event_id: randomUUID(), execution_id: second, aggregate_id: second });
    await eventually(() => bed.probe.on('delete_pod_command', second).length === 1, 'delete_pod_command', 30_000);
    await eventually(async () => kubelet.read(second).then(() => false, () => true), 'the cancelled pod deleted', 30_000);
    expect(bed.probe.on('execution_completed', first)).toHaveLength(1);
  });
});
