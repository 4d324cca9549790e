import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { HealthIndicator, HealthResult } from '../../ports/health-indicator.port.js';
import { apiErrorMessage } from './api-errors.js';

/** Ready when the API server answers a one-item pod list in the executions namespace. */
export class KubernetesApiHealthIndicator implements HealthIndicator {
  readonly name = 'kubernetes_api';
  private readonly core: CoreV1Api;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly namespace: string,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async check(): Promise<HealthResult> {
    try {
      await this.core.listNamespacedPod({ namespace: this.namespace, limit: 1 });
      return { status: 'up', server: this.kubeConfig.getCurrentCluster()?.server, namespace: this.namespace };
    } catch (error) {
      return { status: 'down', message: apiErrorMessage(error) };
    }
  }
}
