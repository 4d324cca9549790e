import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProtectedRoute } from '../api-errors.decorator.js';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';
import { ErrorResponseDto } from '../dto/error-response.dto.js';
import { ExecutionIdParamDto } from '../dto/admin-queries.dto.js';
import { ModuleHttp } from '../module-http.decorator.js';
import { ExecutionStreamService } from './execution-stream.service.js';
import { SseConnections } from './sse-connections.js';
import { streamEventSchema } from './stream-event.schema.js';

const STREAM_DESCRIPTION = [
  'Server-Sent Events for one execution. `state` first (as GET /api/v1/admin/executions/{id}: position and',
  'estimated start while pending), and again whenever its position or estimate changes; then `dispatched`,',
  '`running`, and the end: `finished` (with `outcome`), `cancelled` or `expired`, after which the stream closes.',
].join(' ');

@ApiTags('executions')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@ModuleHttp()
@Controller('api/v1/executions')
export class ExecutionStreamController {
  constructor(
    private readonly streams: ExecutionStreamService,
    private readonly connections: SseConnections,
  ) {}

  @Get(':id/events')
  @ApiOperation({ summary: 'Live status of one execution until it ends', description: STREAM_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream that ends with the execution',
    schema: streamEventSchema({
      state: 'the execution as GET /api/v1/admin/executions/{id} answers it',
      dispatched: 'the change that gave it a slot (`type`, `execution_id`, `user_id`, `priority`, `waited_seconds`, `at`, `origin`, `seq`)',
      running: 'the change that saw its pod run (`type`, `execution_id`, `at`, `origin`, `seq`)',
      finished: 'its end (`type`, `execution_id`, `outcome`, `at`, `origin`, `seq`); the stream closes',
      cancelled: 'its cancellation; the stream closes',
      expired: 'its removal after the stale timeout; the stream closes',
      rejected: 'its refusal; the stream closes',
    }),
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No pending or active execution has this id' })
  async events(@Param() params: ExecutionIdParamDto, @Res() response: Response): Promise<void> {
    await this.streams.serve(params.id, () => this.connections.start(response));
  }
}
