import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { GradingService, type GradingState } from './grading.service.js';

/** The platform's own routes, with its own conventions. */
@Controller('gradings')
export class GradingController {
  constructor(private readonly grading: GradingService) {}

  @Post()
  async create(@Body() body: { student_id?: unknown; script?: unknown }): Promise<{ id: string }> {
    if (typeof body.student_id !== 'string' || typeof body.script !== 'string') throw new BadRequestException('student_id and script are required strings');
    return { id: await this.grading.grade(body.student_id, body.script) };
  }

  @Get(':id')
  show(@Param('id') id: string): { id: string; state: GradingState } {
    const state = this.grading.stateOf(id);
    if (!state) throw new NotFoundException(`no grading ${id}`);
    return { id, state };
  }
}
