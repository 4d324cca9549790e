import type { INestApplicationContext } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { ExecutionQueueOptions } from './config/execution-queue.options.js';
import type { WireCodec } from './contracts/wire-codec.js';
import { EVENT_PUBLISHER, GIVEN_CLIENTS, IN_MEMORY_BUS, TRANSPORT_CONSUMPTION, WIRE_CODEC } from './execution-queue.constants.js';
import type { TransportConsumption } from './ports/transport-consumption.port.js';
import type { GivenClients } from './config/module-options.js';
import { MODULE_OPTIONS_TOKEN } from './execution-queue.module-definition.js';
import type { InMemoryBus } from './kafka-transport/in-memory-bus.js';
import { IN_MEMORY_CONSUMER_GROUP } from './kafka-transport/in-process-consumer.js';
import { InMemoryTransportServer } from './kafka-transport/in-memory.transport-server.js';
import { KafkaTransportServer } from './kafka-transport/kafka.transport-server.js';
import type { TransportEventPublisher } from './kafka-transport/transport-event.publisher.js';

/**
 * Builds the transport strategy that serves the module's `@EventPattern` handlers; pass it to
 * `app.connectMicroservice({ strategy })`. With Kafka this is what consumes; with the in-process
 * bus the module consumes by itself when no strategy is connected (InProcessConsumption).
 */
export function createTransportStrategy(app: INestApplicationContext): CustomTransportStrategy {
  const options = app.get<ExecutionQueueOptions>(MODULE_OPTIONS_TOKEN);
  if (options.transport === 'kafka') {
    const { kafkaClient } = app.get<GivenClients>(GIVEN_CLIENTS);
    const consumption = app.get<TransportConsumption>(TRANSPORT_CONSUMPTION);
    return new KafkaTransportServer(options.kafka, app.get<WireCodec>(WIRE_CODEC), app.get<TransportEventPublisher>(EVENT_PUBLISHER), kafkaClient, () => consumption.markListening());
  }
  return new InMemoryTransportServer(
    app.get<InMemoryBus>(IN_MEMORY_BUS),
    app.get<WireCodec>(WIRE_CODEC),
    IN_MEMORY_CONSUMER_GROUP,
    options.kafka.topicPrefix,
  );
}
