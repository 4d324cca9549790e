import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProtectedRoute } from '../api-errors.decorator.js';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';
import { ModuleHttp } from '../module-http.decorator.js';
import { AdminStreamService } from './admin-stream.service.js';
import { SseConnections } from './sse-connections.js';
import { streamEventSchema } from './stream-event.schema.js';

const STREAM_DESCRIPTION = [
  'Server-Sent Events. First `snapshot` (status, the first 100 active and pending executions, the top 20 users),',
  'then one `change` event per change, whichever replica saw it: `accepted`, `rejected`, `dispatched`, `started`,',
  '`finished` (with `outcome`), `cancelled`, `expired`, `held`, `resumed`, `reprioritized`, `weight_changed`;',
  'each carries `origin` (the replica) and `seq` (that replica\u2019s counter). A `status` event follows every',
  'STREAM_STATUS_SECONDS. `snapshot` and `status` carry `dead_letters`: the dead-letter records this replica wrote since it started, by reason.',
  'A client that falls more than STREAM_MAX_BUFFERED_KB behind is disconnected.',
].join(' ');

@ApiTags('admin')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@ModuleHttp()
@Controller('api/v1/admin/stream')
export class AdminStreamController {
  constructor(
    private readonly streams: AdminStreamService,
    private readonly connections: SseConnections,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Live stream of every change to the queue', description: STREAM_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream that stays open',
    schema: streamEventSchema({
      snapshot: '`status` (as GET /api/v1/admin/queue), `active`, `pending` and `users` (first pages), `dead_letters` by reason, `origin`, `at`',
      change: 'one change: `type`, `at`, `origin`, `seq` and the fields of its type (`execution_id`, `user_id`, `priority`, `position`, `outcome`, `weight`, …)',
      status: 'the status (as GET /api/v1/admin/queue) with `dead_letters`, or `unavailable` with the reason',
      error: '`message`: the snapshot could not be read',
    }),
  })
  async stream(@Res() response: Response): Promise<void> {
    await this.streams.serve(this.connections.start(response));
  }
}
