import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ModuleHttp } from './module-http.decorator.js';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { ExecutionIdParamDto, PageQueryDto, PendingQueryDto, ReprioritizeDto } from './dto/admin-queries.dto.js';
import {
  ActivePageDto,
  CancellationRequestedDto,
  ExecutionDetailDto,
  PendingPageDto,
  ReprioritizedDto,
} from './dto/admin-responses.dto.js';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { QueueOperations } from '../application/queue-operations.service.js';

@ApiTags('admin')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@ModuleHttp()
@Controller('api/v1/admin/executions')
export class ExecutionsAdminController {
  constructor(private readonly admin: QueueOperations) {}

  @Get('active')
  @ApiOperation({ summary: 'Dispatched executions that have not finished, in dispatch order' })
  @ApiOkResponse({ type: ActivePageDto })
  active(@Query() query: PageQueryDto): Promise<ActivePageDto> {
    return this.admin.active(query.offset, query.limit);
  }

  @Get('pending')
  @ApiOperation({ summary: 'Pending executions in true queue order with their positions, optionally filtered' })
  @ApiOkResponse({ type: PendingPageDto })
  pending(@Query() query: PendingQueryDto): Promise<PendingPageDto> {
    return this.admin.pending({ priority: query.priority, user_id: query.user_id }, query.offset, query.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One execution: state, position, and why it is still waiting' })
  @ApiOkResponse({ type: ExecutionDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Neither pending nor active' })
  one(@Param() params: ExecutionIdParamDto): Promise<ExecutionDetailDto> {
    return this.admin.execution(params.id);
  }

  @Put(':id/priority')
  @ApiOperation({ summary: 'Move a pending execution to another priority, keeping its arrival order there' })
  @ApiOkResponse({ type: ReprioritizedDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Neither pending nor active' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already dispatched' })
  @ApiJsonBody()
  reprioritize(@Param() params: ExecutionIdParamDto, @Body() body: ReprioritizeDto): Promise<ReprioritizedDto> {
    return this.admin.reprioritize(params.id, body.priority);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Cancel a pending or running execution (publishes execution_cancelled, cancelled_by admin)' })
  @ApiAcceptedResponse({ type: CancellationRequestedDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Neither pending nor active' })
  cancel(@Param() params: ExecutionIdParamDto): Promise<CancellationRequestedDto> {
    return this.admin.cancel(params.id);
  }
}
