export * from './config.errors.js';
export * from './execution-queue.options.js';
export * from './load-config.js';
