import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import { ExecutionCoordinator } from './execution-coordinator.service.js';

/**
 * Runs a scheduling step at start and then every `housekeepingSeconds` while the process runs.
 *
 * Scheduling itself stays reactive; a step also reclaims expired leases and republishes
 * unconfirmed dispatches, and while events flow every event does that at no extra cost. The
 * timer exists for the quiet case: with no traffic, an execution whose pod vanished would
 * otherwise never be reported, and a dispatch cut short by a crash would wait for the next
 * unrelated event. One store call per interval per replica is the whole price.
 */
@Injectable()
export class CoordinatorHousekeeping implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CoordinatorHousekeeping.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly coordinator: ExecutionCoordinator,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.step('Start-up');
    if (this.options.housekeepingSeconds > 0) {
      this.timer = setInterval(() => void this.step('Housekeeping'), this.options.housekeepingSeconds * 1000);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async step(label: string): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.coordinator.schedule();
    } catch (error) {
      // The store or broker may be away; the next event or interval tries again.
      this.logger.warn(`${label} scheduling step failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
