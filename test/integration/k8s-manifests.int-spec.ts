import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { apiErrorCode, apiErrorMessage } from '../../src/kubernetes-worker/kubernetes/api-errors.js';
import { TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';

const MANIFESTS = 'k8s';

/** Every object of k8s/*.yaml, in file order. */
function manifests(): { file: string; object: KubernetesObject }[] {
  return readdirSync(MANIFESTS)
    .filter((file) => file.endsWith('.yaml'))
    .sort((a, b) => (a === 'namespaces.yaml' ? -1 : b === 'namespaces.yaml' ? 1 : a.localeCompare(b)))
    .flatMap((file) => (loadAllYaml(readFileSync(join(MANIFESTS, file), 'utf8')) as KubernetesObject[]).map((object) => ({ file, object })));
}

describe('k8s/ manifests against a real API server', () => {
  it('are all accepted by a server-side dry run', async () => {
    const api = KubernetesObjectApi.makeApiClient(testKubeConfig());
    const all = manifests();
    expect(all.map(({ object }) => object.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'Namespace', 'Namespace', 'NetworkPolicy', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'].sort(),
    );
    // Namespaced objects can only be dry-run into namespaces that exist: create those for real.
    for (const { object } of all.filter(({ object }) => object.kind === 'Namespace')) {
      await api.create(object).catch((error: unknown) => {
        if (apiErrorCode(error) !== 409) throw error;
      });
    }
    const refused: string[] = [];
    for (const { file, object } of all.filter(({ object }) => object.kind !== 'Namespace')) {
      await api.create(object, undefined, 'All').catch((error: unknown) => {
        if (apiErrorCode(error) !== 409) refused.push(`${file} ${object.kind}/${object.metadata?.name}: ${apiErrorMessage(error)}`);
      });
    }
    expect(refused).toEqual([]);
  });

  it('lock the executions namespace down: the worker role is limited to pods, pods/log, configmaps and leases, executors get no traffic', () => {
    const all = manifests().map(({ object }) => object as KubernetesObject & Record<string, unknown>);
    const role = all.find((object) => object.kind === 'Role') as unknown as { metadata: { namespace: string }; rules: { resources: string[] }[] };
    expect(role.metadata.namespace).toBe('integr8scode');
    expect(role.rules.flatMap((rule) => rule.resources).sort()).toEqual(['configmaps', 'leases', 'pods', 'pods/log']);
    const policy = all.find((object) => object.kind === 'NetworkPolicy') as unknown as { spec: Record<string, unknown> };
    expect(policy.spec).toMatchObject({ policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    for (const deployment of all.filter((object) => object.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }[]) {
      const [container] = deployment.spec.template.spec.containers;
      expect(container).toMatchObject({ readinessProbe: expect.anything(), livenessProbe: expect.anything(), resources: { limits: expect.anything() } });
    }
  });

  it("give the worker's service account what it needs in the executions namespace and nothing elsewhere", async () => {
    const admin = testKubeConfig();
    const api = KubernetesObjectApi.makeApiClient(admin);
    const all = manifests().map(({ object }) => object);
    for (const object of all.filter(({ kind }) => kind === 'Namespace')) {
      await api.create(object).catch((error: unknown) => {
        if (apiErrorCode(error) !== 409) throw error;
      });
    }
    // The RBAC objects for real, as k8s/ has them now (an earlier run's copies are replaced).
    for (const object of all.filter(({ kind }) => kind === 'ServiceAccount' || kind === 'Role' || kind === 'RoleBinding')) {
      await api.delete(object).catch((error: unknown) => {
        if (apiErrorCode(error) !== 404) throw error;
      });
      await api.create(object);
    }
    const account = all.find(({ kind }) => kind === 'ServiceAccount')!.metadata!;
    const { status } = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: account.name!,
      namespace: account.namespace!,
      body: { spec: { expirationSeconds: 600, audiences: [] } },
    } as Parameters<CoreV1Api['createNamespacedServiceAccountToken']>[0]);
    const cluster = admin.getCurrentCluster()!;
    const asWorker = new KubeConfig();
    asWorker.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'worker', token: status!.token }],
      contexts: [{ name: 'worker', cluster: cluster.name, user: 'worker' }],
      currentContext: 'worker',
    });
    const worker = KubernetesObjectApi.makeApiClient(asWorker);
    const configMap = (namespace: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rbac-probe', namespace } });
    const pod = (namespace: string): KubernetesObject =>
      ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'rbac-probe', namespace },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'probe', image: 'probe', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        },
      }) as KubernetesObject;
    /** What the API server answers a dry-run create by the worker: 'allowed', or the refusal's message. */
    const tryCreate = (object: KubernetesObject) =>
      worker.create(object, undefined, 'All').then(
        () => 'allowed',
        (error: unknown) => `${apiErrorCode(error)} ${apiErrorMessage(error)}`,
      );
    expect(await tryCreate(configMap(TEST_NAMESPACE))).toBe('allowed');
    expect(await tryCreate(pod(TEST_NAMESPACE))).toBe('allowed');
    const refusedBy = (resource: string, verb = 'create') => expect.stringMatching(new RegExp(`^403 .*cannot ${verb} resource "${resource}"`));
    expect(await tryCreate(configMap('default'))).toEqual(refusedBy('configmaps'));
    expect(await tryCreate(pod(account.namespace!))).toEqual(refusedBy('pods'));
    const listSecrets = await worker.list('v1', 'Secret', TEST_NAMESPACE).then(
      () => 'allowed',
      (error: unknown) => `${apiErrorCode(error)} ${apiErrorMessage(error)}`,
    );
    expect(listSecrets).toEqual(refusedBy('secrets', 'list'));
  });
});
