import { Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ChangeRelay } from '../admin/stream/change-relay.port.js';
import { QueueChangeFeed } from '../admin/stream/queue-change.feed.js';
import { RedisChangeRelay } from '../admin/stream/redis-change-relay.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { GivenClients } from '../config/module-options.js';
import { ExecutionCoordinator } from '../coordinator/execution-coordinator.service.js';
import { secondConnectionTo } from '../coordinator/stores/redis/redis-connection.js';
import { WaitEstimates } from '../coordinator/wait-estimates.service.js';
import { QueueOperations } from '../application/queue-operations.service.js';
import { ExecutionQueue } from '../embedding/execution-queue.facade.js';
import { CHANGE_RELAY, GIVEN_CLIENTS, OPERATOR_CHANGE_LISTENER } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import { QueueStateModule } from './queue-state.module.js';

/**
 * The queue's services over its state: the coordinator's decisions, wait estimates, the queue
 * operations (submit, cancel, reprioritise, hold, pages, weights) and the facade over them, and the feed
 * of changes the live streams show (through Redis pub/sub when replicas share Redis, so a
 * coordinator's changes reach every admin replica). Shared by the coordinator and admin roles.
 */
@Module({
  imports: [QueueStateModule],
  providers: [
    ExecutionCoordinator,
    WaitEstimates,
    QueueOperations,
    ExecutionQueue,
    {
      provide: CHANGE_RELAY,
      useFactory: (options: ExecutionQueueOptions, clients: GivenClients): ChangeRelay | null => {
        if (options.stateStore !== 'redis') return null;
        const connect = () => (clients.redisClient ? secondConnectionTo(clients.redisClient) : new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 }));
        return new RedisChangeRelay(connect(), connect(), options.redisKeyPrefix);
      },
      inject: [MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS],
    },
    QueueChangeFeed,
    { provide: OPERATOR_CHANGE_LISTENER, useExisting: QueueChangeFeed },
  ],
  exports: [QueueStateModule, ExecutionCoordinator, WaitEstimates, QueueOperations, ExecutionQueue, QueueChangeFeed],
})
export class QueueModule {}
