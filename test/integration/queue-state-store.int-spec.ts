import { InMemoryQueueStateStore } from '../../src/coordinator/stores/in-memory-queue-state.store.js';
import { redisStore } from '../builders/redis-harness.js';
import { describeQueueStateStoreContract } from '../contract/queue-state-store.contract.js';

// The same suite, the same expected results, for both stores.
describeQueueStateStoreContract('in-memory', (limits) => new InMemoryQueueStateStore(limits));
describeQueueStateStoreContract('redis', (limits) => redisStore(limits));
