import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiPayloadTooLargeResponse, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './dto/error-response.dto.js';

/** Marks a route as bearer-protected and documents the errors every `/api/v1` route can answer. */
export function ApiProtectedRoute(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or invalid bearer token' }),
    ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; `fields` names each bad field' }),
    ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: "The queue's state store (Redis) cannot serve the call; nothing was changed, try again" }),
  );
}

/** Documents the 413 of a route that takes a JSON body (bodies over the 2 MB limit are not read). */
export function ApiJsonBody(): MethodDecorator {
  return applyDecorators(ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'The JSON body is larger than 2 MB' }));
}
