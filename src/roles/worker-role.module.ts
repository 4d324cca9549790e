import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { eventSourceOf } from '../config/event-source.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { EVENT_PUBLISHER, KUBE_CONFIG, KUBERNETES_HEALTH_INDICATOR, POD_RUNTIME } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import { KubernetesApiHealthIndicator } from '../kubernetes-worker/kubernetes/kubernetes-api.health-indicator.js';
import { KubernetesPodRuntime } from '../kubernetes-worker/kubernetes/kubernetes-pod.runtime.js';
import { SimulatedPodRuntime } from '../kubernetes-worker/simulated-pod.runtime.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type { PodRuntime } from '../ports/pod-runtime.port.js';

/**
 * The `worker` role: the pod runtime (Kubernetes, simulated, or a host's own) and, with
 * Kubernetes, the cluster's client and its health check. It never touches the queue's state.
 */
@Module({})
export class WorkerRoleModule {
  /** @param customPodRuntime a host's runtime, used instead of the simulated or Kubernetes one. */
  static with(customPodRuntime?: Type<PodRuntime>): DynamicModule {
    return {
      module: WorkerRoleModule,
      providers: [
        {
          provide: KUBE_CONFIG,
          useFactory: (options: ExecutionQueueOptions): KubeConfig | null => {
            if (customPodRuntime || options.podRuntime !== 'kubernetes') return null;
            // KUBECONFIG, ~/.kube/config, or the in-cluster service account.
            const kubeConfig = new KubeConfig();
            kubeConfig.loadFromDefault();
            return kubeConfig;
          },
          inject: [MODULE_OPTIONS_TOKEN],
        },
        customPodRuntime
          ? { provide: POD_RUNTIME, useClass: customPodRuntime }
          : {
              provide: POD_RUNTIME,
              useFactory: (publisher: EventPublisher, options: ExecutionQueueOptions, kubeConfig: KubeConfig | null): PodRuntime =>
                kubeConfig
                  ? new KubernetesPodRuntime(kubeConfig, publisher, eventSourceOf(options), { namespace: options.k8sNamespace, ...options.kubernetes })
                  : new SimulatedPodRuntime(publisher, eventSourceOf(options), options.k8sNamespace, options.simulatedRunMs, options.kubernetes.finishedPodTtlSeconds * 1000),
              inject: [EVENT_PUBLISHER, MODULE_OPTIONS_TOKEN, KUBE_CONFIG],
            },
        {
          provide: KUBERNETES_HEALTH_INDICATOR,
          useFactory: (kubeConfig: KubeConfig | null, options: ExecutionQueueOptions) => (kubeConfig ? new KubernetesApiHealthIndicator(kubeConfig, options.k8sNamespace) : null),
          inject: [KUBE_CONFIG, MODULE_OPTIONS_TOKEN],
        },
      ],
      exports: [KUBE_CONFIG, POD_RUNTIME, KUBERNETES_HEALTH_INDICATOR],
    };
  }
}
