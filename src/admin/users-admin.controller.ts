import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ModuleHttp } from './module-http.decorator.js';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { ApiJsonBody, ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { PageQueryDto, SetUserWeightDto, UserIdParamDto } from './dto/admin-queries.dto.js';
import { UserDetailDto, UsersPageDto, UserWeightDto } from './dto/admin-responses.dto.js';
import { QueueOperations } from '../application/queue-operations.service.js';

@ApiTags('admin')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@ModuleHttp()
@Controller('api/v1/admin/queue/users')
export class UsersAdminController {
  constructor(private readonly admin: QueueOperations) {}

  @Get()
  @ApiOperation({ summary: 'Per-user counts of pending and active executions, largest total first' })
  @ApiOkResponse({ type: UsersPageDto })
  list(@Query() query: PageQueryDto): Promise<UsersPageDto> {
    return this.admin.users(query.offset, query.limit);
  }

  @Get(':user_id')
  @ApiOperation({ summary: "One user's pending and active counts and the per-user limit" })
  @ApiOkResponse({ type: UserDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Empty user id (`/users/`): no such route' })
  one(@Param() params: UserIdParamDto): Promise<UserDetailDto> {
    return this.admin.user(params.user_id);
  }

  @Put(':user_id')
  @ApiOperation({
    summary: "Set a user's weight under QUEUE_ORDER=fair (1-100): users waiting at the same priority take turns in proportion to their weights",
    description: 'Stored in the state store and shared by every replica. Applies to the turns the user is given from now on; what is already queued keeps its place.',
  })
  @ApiOkResponse({ type: UserWeightDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Empty user id (`/users/`): no such route' })
  @ApiJsonBody()
  setWeight(@Param() params: UserIdParamDto, @Body() body: SetUserWeightDto): Promise<UserWeightDto> {
    return this.admin.setUserWeight(params.user_id, body.weight);
  }
}
