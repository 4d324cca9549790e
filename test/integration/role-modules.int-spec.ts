import { jest } from '@jest/globals';
import { kafkaBrokers, useKafkaTestbed } from '../builders/kafka-harness.js';
import { scriptCommand, TEST_NAMESPACE } from '../builders/kubernetes-harness.js';
import { freePort, startService, type RunningService } from '../builders/service-process.js';
import { eventually } from '../builders/standalone-app.js';

jest.setTimeout(120_000);

/** Nothing listens here: a process that tried to use this Redis would fail its readiness. */
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

/**
 * Each role builds only what it needs. Processes of the built service, started as a deployment
 * would start them from one shared configuration (`STATE_STORE=redis`, `POD_RUNTIME=kubernetes`).
 */
describe('role modules', () => {
  const bed = useKafkaTestbed();
  const services: RunningService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.stop()));
  });

  async function readiness(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('a worker with STATE_STORE=redis and no Redis reachable becomes ready and runs pods', async () => {
    await bed.probe.createTopics();
    await bed.probe.start();
    const port = await freePort();
    const worker = await startService({
      PORT: String(port),
      ROLES: 'worker',
      TRANSPORT: 'kafka',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: bed.prefix,
      STATE_STORE: 'redis',
      REDIS_URL: UNREACHABLE_REDIS,
      POD_RUNTIME: 'kubernetes',
      KUBECONFIG: process.env.KUBECONFIG ?? '',
      K8S_NAMESPACE: TEST_NAMESPACE,
      K8S_WORKER_LEASE_GROUP: `roles-${bed.prefix.slice(0, 20)}`.replace(/[^a-z0-9-]/g, '-').replace(/-+$/, ''),
    });
    services.push(worker);
    await eventually(async () => (await readiness(port)).status === 200, 'the worker ready', 30_000);
    const { body } = await readiness(port);
    expect(Object.keys(body.details as object).sort()).toEqual(['kafka', 'kubernetes_api']);

    const command = scriptCommand('bash', 'echo "worker only"\n');
    await bed.probe.sendEvents([command]);
    await eventually(() => bed.probe.on('execution_completed', command.execution_id).length === 1, 'the pod run to completion', 60_000);
    expect(bed.probe.on('execution_completed', command.execution_id)[0]!.json).toMatchObject({ exit_code: 0, stdout: 'worker only\n' });
    expect(worker.output()).not.toMatch(/Redis|ECONNREFUSED/);
  });

  it('a coordinator with POD_RUNTIME=kubernetes creates no Kubernetes client (a kubeconfig that cannot load is never read)', async () => {
    const port = await freePort();
    const coordinator = await startService({
      PORT: String(port),
      ROLES: 'coordinator',
      POD_RUNTIME: 'kubernetes',
      KUBECONFIG: '/nonexistent/kubeconfig',
    });
    services.push(coordinator);
    await eventually(async () => (await readiness(port)).status === 200, 'the coordinator ready', 30_000);
    const { body } = await readiness(port);
    expect(Object.keys(body.details as object).sort()).toEqual(['queue_state_store', 'transport']);
  });
});
