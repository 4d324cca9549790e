import { Inject, Module } from '@nestjs/common';
import { StateStoreHealthIndicator } from '../admin/health/state-store.health-indicator.js';
import type { QueueMetrics } from '../admin/metrics/queue-metrics.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { GivenClients } from '../config/module-options.js';
import type { QueueStateStore } from '../coordinator/queue-state-store.port.js';
import { InMemoryQueueStateStore } from '../coordinator/stores/in-memory-queue-state.store.js';
import { refuseOrderSwitch } from '../coordinator/stores/redis/queue-order.guard.js';
import { RedisQueueStateStore } from '../coordinator/stores/redis/redis-queue-state.store.js';
import { COORDINATOR_OBSERVER, GIVEN_CLIENTS, QUEUE_STATE_STORE, STATE_STORE_HEALTH_INDICATOR } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';

/**
 * The queue's state (in memory, or shared through Redis), for the roles that read or change it:
 * the coordinator and the admin API. A process without them opens no Redis connection.
 */
@Module({
  providers: [
    {
      provide: QUEUE_STATE_STORE,
      useFactory: async (options: ExecutionQueueOptions, clients: GivenClients): Promise<QueueStateStore> => {
        if (options.stateStore !== 'redis') return new InMemoryQueueStateStore(options.queue);
        const store = new RedisQueueStateStore(options.queue, { url: options.redisUrl, keyPrefix: options.redisKeyPrefix, connection: clients.redisClient, waitReplicas: options.redisWaitReplicas });
        await refuseOrderSwitch(store, options);
        return store;
      },
      inject: [MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS],
    },
    {
      provide: STATE_STORE_HEALTH_INDICATOR,
      useFactory: (store: QueueStateStore, options: ExecutionQueueOptions) => new StateStoreHealthIndicator(store, options.stateStore),
      inject: [QUEUE_STATE_STORE, MODULE_OPTIONS_TOKEN],
    },
  ],
  exports: [QUEUE_STATE_STORE, STATE_STORE_HEALTH_INDICATOR],
})
export class QueueStateModule {
  constructor(@Inject(COORDINATOR_OBSERVER) metrics: QueueMetrics, @Inject(QUEUE_STATE_STORE) store: QueueStateStore) {
    metrics.watchStore(store);
  }
}
