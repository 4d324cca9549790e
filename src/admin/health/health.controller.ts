import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ModuleHttp } from '../module-http.decorator.js';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HEALTH_INDICATORS } from '../../execution-queue.constants.js';
import { HealthReportDto } from '../dto/health-report.dto.js';
import type { HealthIndicator } from '../../ports/health-indicator.port.js';
import { checkDependencies } from './check-dependencies.js';

/** Liveness and readiness in terminus's report shape: `{status, info, error, details}`. */
@ApiTags('operations')
@ModuleHttp()
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[]) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ type: HealthReportDto })
  live(): HealthReportDto {
    const process = { status: 'up' as const };
    return { status: 'ok', info: { process }, error: {}, details: { process } };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every dependency in use answers' })
  @ApiOkResponse({ type: HealthReportDto })
  @ApiServiceUnavailableResponse({ type: HealthReportDto, description: 'At least one dependency is down' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthReportDto> {
    const details = await checkDependencies(this.indicators);
    const results = Object.entries(details);
    const info = Object.fromEntries(results.filter(([, result]) => result.status === 'up'));
    const error = Object.fromEntries(results.filter(([, result]) => result.status === 'down'));
    const healthy = Object.keys(error).length === 0;
    if (!healthy) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: healthy ? 'ok' : 'error', info, error, details };
  }
}
