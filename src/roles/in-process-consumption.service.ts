import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { MessageHandler } from '@nestjs/microservices';
import { PATTERN_HANDLER_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { WireCodec } from '../contracts/wire-codec.js';
import { IN_MEMORY_BUS, WIRE_CODEC } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import type { InMemoryBus } from '../kafka-transport/in-memory-bus.js';
import { IN_MEMORY_CONSUMER_GROUP, InProcessConsumer } from '../kafka-transport/in-process-consumer.js';

/** Nest's mark of an `@EventPattern` handler (a `@MessagePattern` one is 1). */
const EVENT_HANDLER = 2;

/**
 * With the in-process bus, the module consumes its own events: at bootstrap it hands every
 * `@EventPattern` handler of the application to the bus, unless a transport strategy the host
 * connected already does. So a host that imports the module and submits through the facade gets
 * its submissions handled, whether or not it called `app.connectMicroservice(...)`; the bus lets
 * only one of the two consume, so nothing is handled twice.
 */
@Injectable()
export class InProcessConsumption implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: InProcessConsumer;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
    @Inject(IN_MEMORY_BUS) private readonly bus: InMemoryBus,
    @Inject(WIRE_CODEC) private readonly codec: WireCodec,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.transport !== 'memory' || !this.bus.claimConsumption()) return;
    const handlers = this.eventHandlers();
    this.consumer = new InProcessConsumer(this.bus, this.codec, IN_MEMORY_CONSUMER_GROUP, this.options.kafka.topicPrefix);
    this.consumer.start(handlers.keys(), (eventType) => handlers.get(eventType) ?? null);
  }

  onApplicationShutdown(): void {
    this.consumer?.stop();
  }

  /** Every `@EventPattern` method of the application's controllers, by event type. */
  private eventHandlers(): Map<string, MessageHandler> {
    const handlers = new Map<string, MessageHandler>();
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, (...args: unknown[]) => unknown> | undefined;
      if (!instance) continue;
      for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const method = instance[name]!;
        const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as unknown[] | undefined;
        if (!patterns || Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) !== EVENT_HANDLER) continue;
        for (const pattern of patterns) {
          if (typeof pattern === 'string') handlers.set(pattern, ((data: unknown) => method.call(instance, data)) as MessageHandler);
        }
      }
    }
    return handlers;
  }
}
