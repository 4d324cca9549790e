import { applyDecorators, UseFilters, UsePipes } from '@nestjs/common';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { createValidationPipe } from './validation.pipe-factory.js';

/**
 * The module's validation and error shape, on its own controllers only: a host application gets
 * no global pipe or filter from embedding the queue.
 */
export const ModuleHttp = (): ClassDecorator => applyDecorators(UsePipes(createValidationPipe()), UseFilters(HttpExceptionFilter));
