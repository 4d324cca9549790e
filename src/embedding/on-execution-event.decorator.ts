import { SetMetadata } from '@nestjs/common';
import { ON_EXECUTION_EVENT } from '../application/execution-event-hooks.js';
import type { ExecutionLifecycleEventType } from '../coordinator/execution-lifecycle.port.js';

export { ON_EXECUTION_EVENT };

/**
 * Marks a method of a host provider as a hook for executions' lifecycle events: the types given,
 * or all of them when none is. The method gets the ExecutionLifecycleEvent; it may be async.
 * What it throws or rejects with is logged and never reaches the queue.
 *
 *   @OnExecutionEvent('finished')
 *   async onFinished(event: ExecutionLifecycleEvent) { ... }
 */
export const OnExecutionEvent = (...types: ExecutionLifecycleEventType[]): MethodDecorator => SetMetadata(ON_EXECUTION_EVENT, types);
