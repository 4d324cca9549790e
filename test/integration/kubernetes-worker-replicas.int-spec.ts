import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { kafkaBrokers, useKafkaTestbed } from '../builders/kafka-harness.js';
import { scriptCommand, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import { freePort, startService, type RunningService } from '../builders/service-process.js';
import { eventually } from '../builders/standalone-app.js';

jest.setTimeout(300_000);

// Each run is a real pod on the test node; enough to spread over all shards and span the kill.
const RUNS = 40;
const TERMINAL = ['execution_completed', 'execution_failed', 'execution_timeout'];

/**
 * Two worker processes on the test cluster split the executor pods into shards with
 * coordination.k8s.io Leases. Every pod runs on the real node, is created once and reported
 * once, and when one worker is killed (SIGKILL) in the middle of the runs the other takes its
 * shards over.
 */
describe('Kubernetes worker replicas', () => {
  const bed = useKafkaTestbed();
  const workers: RunningService[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  it(`creates and reports each of ${RUNS} pods once across two workers, one of them killed midway`, async () => {
    const kubeConfig = testKubeConfig();
    const leases = kubeConfig.makeApiClient(CoordinationV1Api);
    const group = `replicas-${randomUUID().slice(0, 8)}`;
    await bed.probe.createTopics();
    await bed.probe.start();
    const startWorker = async () =>
      startService({
        PORT: String(await freePort()),
        ROLES: 'worker',
        TRANSPORT: 'kafka',
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: bed.prefix,
        POD_RUNTIME: 'kubernetes',
        KUBECONFIG: process.env.KUBECONFIG ?? '',
        K8S_NAMESPACE: TEST_NAMESPACE,
        K8S_WORKER_SHARDS: '8',
        K8S_WORKER_LEASE_SECONDS: '6',
        K8S_WORKER_LEASE_GROUP: group,
        K8S_FINISHED_POD_TTL_SECONDS: '5',
      });
    workers.push(await startWorker(), await startWorker());

    /** Holder of each shard lease of this group. */
    const holders = async () => {
      const list = await leases.listNamespacedLease({ namespace: TEST_NAMESPACE, labelSelector: `execution-queue/lease-group=${group}` });
      return new Map(list.items.filter((lease) => lease.metadata!.name!.includes('-shard-')).map((lease) => [lease.metadata!.name!, lease.spec?.holderIdentity ?? '']));
    };
    await eventually(async () => {
      const held = await holders();
      return held.size === 8 && new Set(held.values()).size === 2;
    }, 'both workers holding shards', 60_000);

    // Each pod runs a few seconds, so the kill lands while many are running or finishing.
    const commands = Array.from({ length: RUNS }, (_, i) => scriptCommand('bash', `sleep ${2 + (i % 5)}\necho "run ${i}"\n`, { execution_id: `rep-${i}-${randomUUID().slice(0, 8)}` }));
    const ids = commands.map((command) => command.execution_id);
    await bed.probe.sendEvents(commands);
    await eventually(() => ids.every((id) => bed.probe.on('pod_created', id).length > 0), `${RUNS} pods created`, 120_000);
    const [victim] = workers;
    victim!.child.kill('SIGKILL');
    workers.shift();
    const reported = (id: string) => TERMINAL.flatMap((topic) => bed.probe.on(topic, id));
    await eventually(() => ids.every((id) => reported(id).length > 0), 'every execution reported', 120_000).catch((error: Error) => {
      throw new Error(`${error.message}; missing ${ids.filter((id) => reported(id).length === 0).length}`);
    });
    // The survivor holds every shard now.
    await eventually(async () => new Set((await holders()).values()).size === 1, 'one holder left', 30_000);

    const created = ids.filter((id) => bed.probe.on('pod_created', id).length !== 1);
    expect(created).toEqual([]);
    // One terminal event per execution: a repeat (a worker killed between publishing and marking
    // the pod) would carry the same event id.
    const notOnce = ids.filter((id) => new Set(reported(id).map((message) => String(message.json.event_id))).size !== 1);
    expect(notOnce).toEqual([]);
    expect(ids.filter((id) => reported(id)[0]!.topic.endsWith('execution_completed') === false)).toEqual([]);
    expect(ids.filter((id, index) => reported(id)[0]!.json.stdout !== `run ${index}\n`)).toEqual([]);
    // Repeats (same id) can only come from pods whose report was in flight when the worker was
    // killed; two workers watching the same pods would repeat nearly every one.
    const repeats = ids.filter((id) => reported(id).length > 1);
    expect(repeats.length).toBeLessThanOrEqual(10);
  });
});
