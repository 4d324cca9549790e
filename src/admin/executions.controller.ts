import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { SubmitExecutionDto, SubmitExecutionResponseDto } from './dto/submit-execution.dto.js';
import { ExecutionSubmissionService } from './execution-submission.service.js';

@ApiTags('executions')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@Controller('api/v1/executions')
export class ExecutionsController {
  constructor(private readonly submissions: ExecutionSubmissionService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Submit an execution',
    description: 'Publishes `execution_requested`. Acceptance or rejection follows as `execution_accepted` or `execution_failed`.',
  })
  @ApiAcceptedResponse({ type: SubmitExecutionResponseDto })
  async submit(@Body() body: SubmitExecutionDto): Promise<SubmitExecutionResponseDto> {
    return { execution_id: await this.submissions.submit(body) };
  }
}
