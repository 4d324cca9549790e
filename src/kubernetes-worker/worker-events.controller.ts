import { Controller, Inject, UseFilters, type OnApplicationBootstrap } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RethrowRpcFilter } from '../common/rethrow-rpc.filter.js';
import { EventType } from '../contracts/event-type.constants.js';
import { CreatePodCommand, DeletePodCommand } from '../contracts/pod.events.js';
import { POD_RUNTIME } from '../execution-queue.constants.js';
import type { PodRuntime } from '../ports/pod-runtime.port.js';

/** Routes pod commands from the transport to the configured pod runtime. */
@Controller()
@UseFilters(RethrowRpcFilter)
export class WorkerEventsController implements OnApplicationBootstrap {
  constructor(@Inject(POD_RUNTIME) private readonly runtime: PodRuntime) {}

  /** The runtime watches pods only where the worker role runs (this controller exists only there). */
  onApplicationBootstrap(): void {
    this.runtime.start?.();
  }

  @EventPattern(EventType.CreatePodCommand)
  createPod(@Payload() command: CreatePodCommand): Promise<void> {
    return this.runtime.createPod(command);
  }

  @EventPattern(EventType.DeletePodCommand)
  deletePod(@Payload() command: DeletePodCommand): Promise<void> {
    return this.runtime.deletePod(command);
  }
}
