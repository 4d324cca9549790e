import { InMemoryQueueStateStore } from '../../src/coordinator/stores/in-memory-queue-state.store.js';
import { clusterConnection, redisStore, sentinelConnection, storeOn } from '../builders/redis-harness.js';
import { describeQueueStateStoreContract } from '../contract/queue-state-store.contract.js';

// The same suite, the same expected results, for both stores; the Redis one on a single server,
// on a three-master Cluster and on a master found through Sentinel.
describeQueueStateStoreContract('in-memory', (limits) => new InMemoryQueueStateStore(limits));
describeQueueStateStoreContract('redis', (limits) => redisStore(limits));
describeQueueStateStoreContract('redis cluster', (limits) => storeOn(clusterConnection, limits));
describeQueueStateStoreContract('redis sentinel', (limits) => storeOn(sentinelConnection, limits));
