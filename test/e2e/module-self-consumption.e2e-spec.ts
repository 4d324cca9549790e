import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTransportStrategy, ExecutionQueue, ExecutionQueueModule, OnExecutionEvent, TransportNotStartedError, type ExecutionLifecycleEvent } from '../../src/index.js';
import { eventually } from '../builders/standalone-app.js';

/** Host code that records what the queue tells it. */
@Injectable()
class Journal {
  readonly seen: string[] = [];

  @OnExecutionEvent()
  record(event: ExecutionLifecycleEvent): void {
    this.seen.push(`${event.type} ${event.execution_id}`);
  }
}

@Module({ providers: [Journal] })
class JournalModule {}

/**
 * A host that imports the module with the in-process bus and submits through the facade gets
 * its submissions handled whether or not it connected the transport strategy, and never twice
 * when it connects one after the module started consuming.
 */
describe('the module consumes the in-process bus by itself', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function host(): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ imports: [ExecutionQueueModule.forRoot({ simulatedRunMs: 20 }), JournalModule] }).compile();
    return moduleRef.createNestApplication({ logger: false });
  }

  it('handles a facade submission with no connectMicroservice call', async () => {
    app = await host();
    await app.init();
    const queue = app.get(ExecutionQueue);
    const id = await queue.submit({ user_id: 'ann', script: 'print(1)', language: 'python', language_version: '3.11' });
    const journal = app.get(Journal);
    await eventually(() => journal.seen.includes(`finished ${id}`), 'the execution run to its end', 10_000);
    expect(journal.seen.filter((entry) => entry.endsWith(id))).toEqual([`accepted ${id}`, `dispatched ${id}`, `started ${id}`, `finished ${id}`]);
  });

  it('handles each message once when the host connects the strategy after the module started consuming', async () => {
    app = await host();
    await app.init();
    app.connectMicroservice({ strategy: createTransportStrategy(app) });
    await app.startAllMicroservices();
    const queue = app.get(ExecutionQueue);
    const id = await queue.submit({ user_id: 'bob', script: 'print(2)', language: 'python', language_version: '3.11' });
    const journal = app.get(Journal);
    await eventually(() => journal.seen.includes(`finished ${id}`), 'the execution run to its end', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(journal.seen.filter((entry) => entry.endsWith(id))).toEqual([`accepted ${id}`, `dispatched ${id}`, `started ${id}`, `finished ${id}`]);
  });

  // With Kafka the host starts the consumers; a coordinator that never did would leave the
  // submission on the broker, unhandled. Refused at the call instead (no broker is needed to see it).
  it('refuses a submission over Kafka while this coordinator has no consumers, naming the fix', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ExecutionQueueModule.forRoot({ transport: 'kafka', kafka: { brokers: ['127.0.0.1:1'] } })] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const failure = await app
      .get(ExecutionQueue)
      .submit({ user_id: 'cid', script: 'print(3)', language: 'python', language_version: '3.11' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportNotStartedError);
    expect(failure).toMatchObject({ code: 'TRANSPORT_NOT_STARTED', message: expect.stringContaining('connectMicroservice') });
  });
});
