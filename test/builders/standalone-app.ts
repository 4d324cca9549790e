import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureHttpApp } from '../../src/admin/http-app.setup.js';
import type { ExecutionQueueOptions } from '../../src/config/execution-queue.options.js';
import type { GivenClients } from '../../src/config/module-options.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnyEvent } from '../../src/contracts/event-registry.js';
import { ALL_EVENT_TYPES, DEAD_LETTER_TOPIC } from '../../src/contracts/event-type.constants.js';
import { WireCodec } from '../../src/contracts/wire-codec.js';
import { IN_MEMORY_BUS } from '../../src/execution-queue.constants.js';
import { ExecutionQueueModule } from '../../src/execution-queue.module.js';
import { STANDALONE_HTTP } from '../../src/execution-queue.module-definition.js';
import type { InMemoryBus } from '../../src/kafka-transport/in-memory-bus.js';
import { createTransportStrategy } from '../../src/transport-strategy.factory.js';

export const TEST_TOKEN = 'test-admin-token-0123456789';

/** Everything that crossed the bus, as a test consumer group sees it. */
export class EventTap {
  readonly events: AnyEvent[] = [];
  readonly deadLetters: Record<string, unknown>[] = [];
  private readonly codec = new WireCodec();

  constructor(bus: InMemoryBus) {
    for (const type of ALL_EVENT_TYPES) {
      bus.subscribe(type, 'test-tap', async (message) => {
        const decoded = this.codec.decode(message.topic, message.key, message.value);
        if (decoded.ok) this.events.push(decoded.event);
      });
    }
    bus.subscribe(DEAD_LETTER_TOPIC, 'test-tap', async (message) => {
      this.deadLetters.push(JSON.parse(message.value.toString('utf8')));
    });
  }

  ofType<T extends AnyEvent['event_type']>(type: T, executionId?: string): Extract<AnyEvent, { event_type: T }>[] {
    return this.events.filter(
      (event) => event.event_type === type && (executionId === undefined || event.execution_id === executionId),
    ) as Extract<AnyEvent, { event_type: T }>[];
  }
}

export interface StandaloneApp {
  app: INestApplication;
  bus: InMemoryBus;
  tap: EventTap;
  close(): Promise<void>;
}

/** The service as `npm start` builds it (in-memory bus, simulated pods), on an ephemeral port. */
export async function startStandaloneApp(overrides: Partial<ExecutionQueueOptions> = {}, given: GivenClients = {}): Promise<StandaloneApp> {
  const defaults = loadConfig({});
  const options: ExecutionQueueOptions = { ...defaults, adminTokens: [TEST_TOKEN], simulatedRunMs: 50, environment: 'test', ...overrides };
  const moduleRef = await Test.createTestingModule({ imports: [ExecutionQueueModule.forRoot({ ...options, ...given, http: STANDALONE_HTTP })] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpApp(app, options.serviceVersion);
  app.connectMicroservice({ strategy: createTransportStrategy(app) });
  const bus = app.get<InMemoryBus>(IN_MEMORY_BUS);
  const tap = new EventTap(bus);
  await app.startAllMicroservices();
  await app.init();
  return { app, bus, tap, close: () => app.close() };
}

/** Polls until `check` holds, failing with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
