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
  @ApiOkResponse({ description: 'An event stream that ends with the execution', schema: { type: 'string', example: 'event: state\ndata: {"state":"pending","position":4}\n\n' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No pending or active execution has this id' })
  async events(@Param() params: ExecutionIdParamDto, @Res() response: Response): Promise<void> {
    await this.streams.serve(params.id, () => this.connections.start(response));
  }
}
