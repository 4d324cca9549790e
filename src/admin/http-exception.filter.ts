import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorResponseDto, FieldErrorDto } from './dto/error-response.dto.js';
import {
  ExecutionNotFoundError,
  ExecutionNotPendingError,
  InvalidSubmissionError,
  QueueUnavailableError,
  SubmissionUnavailableError,
  TransportNotStartedError,
  type ExecutionQueueError,
} from '../application/queue-errors.js';

/** Raised by the validation pipe with one entry per bad field. */
export class FieldValidationException extends HttpException {
  constructor(readonly fields: FieldErrorDto[]) {
    super(`Validation failed: ${fields.map((field) => field.field).join(', ')}`, HttpStatus.BAD_REQUEST);
  }
}

/** The HTTP status of each refusal of the queue operations. */
const STATUS_OF: ReadonlyArray<[abstract new (...args: never[]) => ExecutionQueueError, number]> = [
  [InvalidSubmissionError, HttpStatus.BAD_REQUEST],
  [ExecutionNotFoundError, HttpStatus.NOT_FOUND],
  [ExecutionNotPendingError, HttpStatus.CONFLICT],
  [SubmissionUnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
  [QueueUnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
  [TransportNotStartedError, HttpStatus.SERVICE_UNAVAILABLE],
];

/**
 * Puts every HTTP error into `{status_code, error, message}`: Nest's HTTP exceptions, the body
 * parser's, and the typed refusals of the queue operations (the one place they become HTTP);
 * unexpected ones become a bare 500.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (exception instanceof SubmissionUnavailableError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
      body.execution_id = exception.executionId;
    }
    response.status(body.status_code).json(body);
  }

  private toBody(exception: unknown): ErrorResponseDto {
    if (exception instanceof FieldValidationException) {
      return { status_code: 400, error: 'Bad Request', message: exception.message, fields: exception.fields };
    }
    if (exception instanceof InvalidSubmissionError) {
      return { status_code: 400, error: 'Bad Request', message: `Validation failed: ${exception.fields.map((field) => field.field).join(', ')}`, fields: [...exception.fields] };
    }
    const refusal = STATUS_OF.find(([type]) => exception instanceof type);
    if (refusal) return { status_code: refusal[1], error: reasonPhrase(refusal[1]), message: (exception as Error).message };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const message = typeof raw === 'string' ? raw : describe(raw);
      return { status_code: status, error: reasonPhrase(status), message };
    }
    const status = httpStatusOf(exception);
    if (status !== undefined) return { status_code: status, error: reasonPhrase(status), message: (exception as Error).message };
    this.logger.error(`Unhandled error: ${(exception as Error)?.stack ?? String(exception)}`);
    return { status_code: 500, error: 'Internal Server Error', message: 'Internal server error' };
  }
}

/** Errors from the body parser carry their HTTP status (400 for bad JSON, 413 for too large). */
function httpStatusOf(exception: unknown): number | undefined {
  const status = (exception as { status?: unknown; statusCode?: unknown })?.status ?? (exception as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function describe(raw: object): string {
  const message = (raw as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : 'Error';
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function reasonPhrase(status: number): string {
  return PHRASES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
