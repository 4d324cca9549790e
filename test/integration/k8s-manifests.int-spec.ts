import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { apiErrorCode, apiErrorMessage } from '../../src/kubernetes-worker/kubernetes/api-errors.js';
import { testKubeConfig } from '../builders/kubernetes-harness.js';

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
});
