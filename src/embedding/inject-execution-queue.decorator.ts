import { Inject } from '@nestjs/common';
import { ExecutionQueue } from './execution-queue.facade.js';

/** Injects the ExecutionQueue facade: `constructor(@InjectExecutionQueue() private readonly queue: ExecutionQueue)`. */
export const InjectExecutionQueue = (): PropertyDecorator & ParameterDecorator => Inject(ExecutionQueue);
