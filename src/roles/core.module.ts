import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import { QueueMetrics } from '../admin/metrics/queue-metrics.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { givenClientsOf, resolveModuleOptions, type GivenClients } from '../config/module-options.js';
import { WireCodec } from '../contracts/wire-codec.js';
import { systemClock } from '../coordinator/system-clock.js';
import { ExecutionEvents } from '../application/execution-events.service.js';
import {
  CLOCK,
  COORDINATOR_OBSERVER,
  DEAD_LETTERS,
  EVENT_PUBLISHER,
  EXECUTION_LIFECYCLE_LISTENER,
  GIVEN_CLIENTS,
  IN_MEMORY_BUS,
  TRANSPORT_CLIENT,
  TRANSPORT_CONSUMPTION,
  TRANSPORT_HEALTH_INDICATOR,
  WIRE_CODEC,
} from '../execution-queue.constants.js';
import { GIVEN_MODULE_OPTIONS, MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import { deadLettersWritten } from '../kafka-transport/dead-letter.js';
import { InMemoryBus } from '../kafka-transport/in-memory-bus.js';
import { InMemoryBusHealthIndicator } from '../kafka-transport/in-memory-bus.health-indicator.js';
import { InMemoryClientProxy } from '../kafka-transport/in-memory.client-proxy.js';
import { KafkaClientProxy } from '../kafka-transport/kafka.client-proxy.js';
import { KafkaHealthIndicator } from '../kafka-transport/kafka.health-indicator.js';
import { TransportEventPublisher } from '../kafka-transport/transport-event.publisher.js';
import type { DeadLetterCounts } from '../ports/dead-letters.port.js';
import type { HealthIndicator } from '../ports/health-indicator.port.js';
import { TransportConsumption } from '../ports/transport-consumption.port.js';
import { InProcessConsumption } from './in-process-consumption.service.js';

/**
 * What every role uses: the resolved options, the clock, the transport (in-process bus or
 * Kafka) with the event publisher and, for the in-process bus, the module's own consumption of
 * it, the metrics registry, and the lifecycle hooks. Global, so the role modules and a host's
 * own providers (a custom pod runtime) can inject it.
 */
@Module({})
export class ExecutionQueueCoreModule {}

const CORE_PROVIDERS: Provider[] = [
  { provide: MODULE_OPTIONS_TOKEN, useFactory: (given: unknown) => resolveModuleOptions(given), inject: [GIVEN_MODULE_OPTIONS] },
  { provide: GIVEN_CLIENTS, useFactory: (given: unknown) => givenClientsOf(given), inject: [GIVEN_MODULE_OPTIONS] },
  { provide: CLOCK, useValue: systemClock },
  { provide: WIRE_CODEC, useFactory: (options: ExecutionQueueOptions) => new WireCodec(options.kafka.topicPrefix), inject: [MODULE_OPTIONS_TOKEN] },
  { provide: IN_MEMORY_BUS, useFactory: () => new InMemoryBus() },
  {
    provide: TRANSPORT_CLIENT,
    useFactory: (bus: InMemoryBus, options: ExecutionQueueOptions, clients: GivenClients): ClientProxy =>
      options.transport === 'kafka' ? new KafkaClientProxy(options.kafka, clients.kafkaClient) : new InMemoryClientProxy(bus),
    inject: [IN_MEMORY_BUS, MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS],
  },
  { provide: EVENT_PUBLISHER, useFactory: (client: ClientProxy, codec: WireCodec) => new TransportEventPublisher(client, codec), inject: [TRANSPORT_CLIENT, WIRE_CODEC] },
  {
    provide: TRANSPORT_HEALTH_INDICATOR,
    useFactory: (options: ExecutionQueueOptions, bus: InMemoryBus, clients: GivenClients): HealthIndicator =>
      options.transport === 'kafka' ? new KafkaHealthIndicator(options.kafka, clients.kafkaClient) : new InMemoryBusHealthIndicator(bus),
    inject: [MODULE_OPTIONS_TOKEN, IN_MEMORY_BUS, GIVEN_CLIENTS],
  },
  { provide: DEAD_LETTERS, useValue: { written: deadLettersWritten } satisfies DeadLetterCounts },
  {
    // The queue's and the streams' gauges join from the role modules that have them.
    provide: COORDINATOR_OBSERVER,
    useFactory: (options: ExecutionQueueOptions, bus: InMemoryBus, clients: GivenClients, deadLetters: DeadLetterCounts) =>
      new QueueMetrics(deadLetters, options.transport === 'memory' ? bus : undefined, clients.metricsRegistry),
    inject: [MODULE_OPTIONS_TOKEN, IN_MEMORY_BUS, GIVEN_CLIENTS, DEAD_LETTERS],
  },
  ExecutionEvents,
  { provide: EXECUTION_LIFECYCLE_LISTENER, useExisting: ExecutionEvents },
  InProcessConsumption,
];

const CORE_EXPORTS = [TRANSPORT_CONSUMPTION, DEAD_LETTERS, MODULE_OPTIONS_TOKEN, GIVEN_CLIENTS, CLOCK, WIRE_CODEC, IN_MEMORY_BUS, TRANSPORT_CLIENT, EVENT_PUBLISHER, TRANSPORT_HEALTH_INDICATOR, COORDINATOR_OBSERVER, ExecutionEvents, EXECUTION_LIFECYCLE_LISTENER];

/**
 * The core module of one ExecutionQueueModule: the options as the host gave them (a value, or
 * a factory with its imports, from forRoot / forRootAsync) and everything above.
 */
export function coreModule(given: Pick<ModuleMetadata, 'imports' | 'providers'>, runsCoordinator: boolean): DynamicModule {
  return {
    module: ExecutionQueueCoreModule,
    global: true,
    imports: [...(given.imports ?? []), DiscoveryModule],
    providers: [
      ...(given.providers ?? []),
      ...CORE_PROVIDERS,
      {
        provide: TRANSPORT_CONSUMPTION,
        useFactory: (options: ExecutionQueueOptions) => new TransportConsumption(runsCoordinator && options.transport === 'kafka'),
        inject: [MODULE_OPTIONS_TOKEN],
      },
    ],
    exports: CORE_EXPORTS,
  };
}
