import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  createTransportStrategy,
  ExecutionEvents,
  ExecutionQueue,
  ExecutionQueueModule,
  OnExecutionEvent,
  type ExecutionLifecycleEvent,
} from '../../src/index.js';
import { IN_MEMORY_BUS } from '../../src/execution-queue.constants.js';
import type { InMemoryBus } from '../../src/kafka-transport/in-memory-bus.js';
import { eventually } from '../builders/standalone-app.js';

/** Host code reacting to the queue: a journal of everything, and two hooks that always fail. */
@Injectable()
class ExecutionJournal {
  readonly seen: ExecutionLifecycleEvent[] = [];

  @OnExecutionEvent()
  record(event: ExecutionLifecycleEvent): void {
    this.seen.push(event);
  }

  @OnExecutionEvent('dispatched', 'finished')
  explode(): void {
    throw new Error('host bug');
  }

  @OnExecutionEvent('accepted')
  async rejectLater(): Promise<void> {
    throw new Error('host bug, asynchronously');
  }

  of(executionId: string): string[] {
    return this.seen.filter((event) => event.execution_id === executionId).map((event) => (event.type === 'finished' ? `finished:${event.outcome}` : event.type));
  }
}

@Module({
  imports: [ExecutionQueueModule.forRoot({ queue: { maxActiveExecutions: 1, maxQueueSize: 2 }, simulatedRunMs: 300 })],
  providers: [ExecutionJournal],
})
class HostModule {}

describe('lifecycle hooks in host code', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ strategy: createTransportStrategy(app) });
    await app.startAllMicroservices();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('tells decorated host methods what happens to each execution, and failing hooks break nothing', async () => {
    const queue = app.get(ExecutionQueue);
    const journal = app.get(ExecutionJournal);
    const events = app.get(ExecutionEvents);
    const heard: string[] = [];
    const stop = events.listen((event) => void heard.push(`${event.type} ${event.execution_id}`), 'rejected', 'cancelled');
    const submit = (id: string, user: string) => queue.submit({ execution_id: id, user_id: user, script: 'print(1)', language: 'python', language_version: '3.11' });

    await submit('h-1', 'ann'); // runs at once
    await submit('h-2', 'bob'); // waits
    await submit('h-3', 'cat'); // waits
    await submit('h-4', 'dan'); // the queue (2) is full
    await app.get<InMemoryBus>(IN_MEMORY_BUS).whenIdle();
    await queue.cancel('h-3');

    await eventually(async () => journal.of('h-2').includes('finished:completed'), 'h-2 ran to the end');
    expect(journal.of('h-1')).toEqual(['accepted', 'dispatched', 'started', 'finished:completed']);
    expect(journal.of('h-2')).toEqual(['accepted', 'dispatched', 'started', 'finished:completed']);
    expect(journal.of('h-3')).toEqual(['accepted', 'cancelled']);
    expect(journal.of('h-4')).toEqual(['rejected']);
    expect(journal.seen.find((event) => event.execution_id === 'h-4')).toMatchObject({ type: 'rejected', reason: 'queue_full', user_id: 'dan', priority: 'normal' });
    expect(journal.seen.find((event) => event.execution_id === 'h-2' && event.type === 'accepted')).toMatchObject({ position: 0, user_id: 'bob' });
    expect(heard).toEqual(['rejected h-4', 'cancelled h-3']);

    // One failure per dispatch and per finish (two executions ran) and one per acceptance
    // (three): all logged and counted, none of them reached the queue.
    await eventually(async () => events.failures === 2 + 2 + 3, 'every failing hook counted');
    expect(await queue.status()).toMatchObject({ active_count: 0, queue_depth: 0 });

    stop();
    await submit('h-5', 'eve');
    await eventually(async () => journal.of('h-5').includes('finished:completed'), 'h-5 ran to the end');
    expect(heard).toEqual(['rejected h-4', 'cancelled h-3']);
  });
});
