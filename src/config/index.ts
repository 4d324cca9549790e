export * from './config.errors.js';
export * from './event-source.js';
export * from './execution-queue.options.js';
export * from './load-config.js';
export * from './module-options.js';
