import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ModuleHttp } from './module-http.decorator.js';
import { ApiAcceptedResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { ApiJsonBody, ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { SubmitExecutionDto, SubmitExecutionResponseDto } from './dto/submit-execution.dto.js';
import { QueueOperations } from '../application/queue-operations.service.js';

@ApiTags('executions')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@ModuleHttp()
@Controller('api/v1/executions')
export class ExecutionsController {
  constructor(private readonly operations: QueueOperations) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Submit an execution',
    description: 'Publishes `execution_requested`. Acceptance or rejection follows as `execution_accepted` or `execution_failed`.',
  })
  @ApiAcceptedResponse({ type: SubmitExecutionResponseDto })
  @ApiJsonBody()
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'The broker did not take the request within SUBMIT_TIMEOUT_SECONDS (default 5); `Retry-After` says when to try again, `execution_id` which id to submit again with',
    headers: { 'Retry-After': { description: 'Seconds to wait before submitting again', schema: { type: 'integer' } } },
  })
  async submit(@Body() body: SubmitExecutionDto): Promise<SubmitExecutionResponseDto> {
    return { execution_id: await this.operations.submit(body) };
  }
}
