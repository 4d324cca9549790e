export * from './clock.js';
export * from './coordinator-outcomes.js';
export * from './coordinator-state.js';
export * from './order-statistic-tree.js';
export * from './pending-queue.js';
export * from './queue-limits.js';
export * from './recent-ids.js';
export * from './rejection-messages.js';
