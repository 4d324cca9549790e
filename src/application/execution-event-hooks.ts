/** Metadata key of the methods @OnExecutionEvent marks as lifecycle hooks (embedding/). */
export const ON_EXECUTION_EVENT = Symbol('execution-queue:on-execution-event');
