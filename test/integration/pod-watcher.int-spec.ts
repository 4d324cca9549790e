import { jest } from '@jest/globals';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { loadConfig } from '../../src/config/load-config.js';
import { podFor } from '../../src/kubernetes-worker/kubernetes/pod-manifest.js';
import { PodWatcher } from '../../src/kubernetes-worker/kubernetes/pod-watcher.js';
import { compactEtcd, createPodCommand, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import { eventually } from '../builders/standalone-app.js';

jest.setTimeout(60_000);

describe('pod watch against a real API server', () => {
  it('lists again when the server says the version it resumes from is gone (410), delivering the pod again', async () => {
    const kubeConfig = testKubeConfig();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const command = createPodCommand();
    await core.createNamespacedPod({ namespace: TEST_NAMESPACE, body: podFor(command, { namespace: TEST_NAMESPACE, ...loadConfig({}).kubernetes }) });
    // Everything before now is compacted away, so version 1 is long gone.
    await compactEtcd();

    // The real list, except that the first one claims version 1: the watch that resumes from it
    // is answered 410 by the real server.
    let lists = 0;
    const lister = {
      listNamespacedPod: async (request: Parameters<CoreV1Api['listNamespacedPod']>[0]) => {
        const list = await core.listNamespacedPod(request);
        if (lists++ === 0) list.metadata = { ...list.metadata, resourceVersion: '1' };
        return list;
      },
    } as unknown as CoreV1Api;
    const seen: string[] = [];
    const watcher = new PodWatcher(kubeConfig, lister, TEST_NAMESPACE, async (pod: V1Pod) => {
      seen.push(pod.metadata?.labels?.['execution-queue/execution-id'] ?? '');
    });
    watcher.start();
    try {
      await eventually(() => lists >= 2 && seen.filter((id) => id === command.execution_id).length >= 2, 'a second list after the 410, delivering the pod again', 20_000);
      expect(watcher.expiries).toBeGreaterThanOrEqual(1);
    } finally {
      await watcher.stop();
      await core.deleteNamespacedPod({ name: `executor-${command.execution_id}`, namespace: TEST_NAMESPACE, gracePeriodSeconds: 0 });
    }
  });
});
