import { Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ModuleHttp } from './module-http.decorator.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { QueueStatusDto } from './dto/queue-status.dto.js';
import { QueueOperations } from '../application/queue-operations.service.js';

@ApiTags('admin')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@ModuleHttp()
@Controller('api/v1/admin/queue')
export class QueueAdminController {
  constructor(private readonly admin: QueueOperations) {}

  @Get()
  @ApiOperation({ summary: 'Queue status: depth by priority, active executions, limits, hold state' })
  @ApiOkResponse({ type: QueueStatusDto })
  status(): Promise<QueueStatusDto> {
    return this.admin.status();
  }

  @Post('hold')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Hold dispatching; requests are still accepted and queued' })
  @ApiOkResponse({ type: QueueStatusDto })
  hold(): Promise<QueueStatusDto> {
    return this.admin.hold();
  }

  @Post('resume')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resume dispatching after a hold' })
  @ApiOkResponse({ type: QueueStatusDto })
  resume(): Promise<QueueStatusDto> {
    return this.admin.resume();
  }
}
