import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { FieldValidationException } from './http-exception.filter.js';

/** Validates bodies and queries against their DTOs, rejecting unknown fields, naming each bad one. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) =>
      new FieldValidationException(flatten(errors).map(([field, problems]) => ({ field, problems }))),
  });
}

function flatten(errors: ValidationError[], parent = ''): [string, string[]][] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: [string, string[]][] = error.constraints ? [[field, Object.values(error.constraints)]] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
