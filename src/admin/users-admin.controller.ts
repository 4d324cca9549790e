import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { ApiProtectedRoute } from './api-errors.decorator.js';
import { BearerTokenGuard } from './auth/bearer-token.guard.js';
import { PageQueryDto, UserIdParamDto } from './dto/admin-queries.dto.js';
import { UserDetailDto, UsersPageDto } from './dto/admin-responses.dto.js';
import { QueueAdminService } from './queue-admin.service.js';

@ApiTags('admin')
@ApiProtectedRoute()
@UseGuards(BearerTokenGuard)
@Controller('api/v1/admin/queue/users')
export class UsersAdminController {
  constructor(private readonly admin: QueueAdminService) {}

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
}
