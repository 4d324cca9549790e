import { Module } from '@nestjs/common';
import { CoordinatorHousekeeping } from '../coordinator/coordinator-housekeeping.service.js';
import { QueueModule } from './queue.module.js';

/** The `coordinator` role: the queue's services plus the start-up repair and idle housekeeping. */
@Module({
  imports: [QueueModule],
  providers: [CoordinatorHousekeeping],
  exports: [QueueModule],
})
export class CoordinatorRoleModule {}
