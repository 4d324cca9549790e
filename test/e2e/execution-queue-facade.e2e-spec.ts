import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  createTransportStrategy,
  ExecutionNotFoundError,
  ExecutionNotPendingError,
  type ExecutionQueue,
  ExecutionQueueModule,
  InjectExecutionQueue,
  InvalidSubmissionError,
} from '../../src/index.js';
import { IN_MEMORY_BUS } from '../../src/execution-queue.constants.js';
import type { InMemoryBus } from '../../src/kafka-transport/in-memory-bus.js';
import { eventually } from '../builders/standalone-app.js';

/** A service of the host platform that drives the queue from its own code. */
@Injectable()
class GradingService {
  constructor(@InjectExecutionQueue() readonly queue: ExecutionQueue) {}

  submitFor(userId: string, executionId: string): Promise<string> {
    return this.queue.submit({ execution_id: executionId, user_id: userId, script: 'print(1)', language: 'python', language_version: '3.11' });
  }
}

@Module({
  imports: [ExecutionQueueModule.forRoot({ queue: { maxActiveExecutions: 1 }, simulatedRunMs: 60_000 })],
  providers: [GradingService],
})
class HostModule {}

describe('the ExecutionQueue facade in host code', () => {
  let app: INestApplication;
  let grading: GradingService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ strategy: createTransportStrategy(app) });
    await app.startAllMicroservices();
    await app.init();
    grading = app.get(GradingService);
  });

  afterAll(async () => {
    await app.close();
  });

  const settled = () => app.get<InMemoryBus>(IN_MEMORY_BUS).whenIdle();

  it('submits through the transport and reads, moves and cancels what it queued', async () => {
    const queue = grading.queue;
    for (const [user, id] of [['ann', 'f-1'], ['bob', 'f-2'], ['cat', 'f-3']] as const) expect(await grading.submitFor(user, id)).toBe(id);
    await settled();
    await eventually(async () => (await queue.status()).active_count === 1, 'one execution dispatched');
    expect(await queue.status()).toMatchObject({ active_count: 1, queue_depth: 2, max_active_executions: 1 });
    expect(await queue.lookup('f-1')).toMatchObject({ state: 'active', user_id: 'ann' });
    expect(await queue.lookup('f-3')).toMatchObject({ state: 'pending', position: 1, priority: 'normal' });

    expect(await queue.reprioritize('f-3', 'high')).toEqual({ execution_id: 'f-3', priority: 'high', position: 0 });
    expect((await queue.pending()).items.map((item) => item.execution_id)).toEqual(['f-3', 'f-2']);
    expect((await queue.pending({ user_id: 'bob' })).items.map((item) => item.execution_id)).toEqual(['f-2']);
    expect((await queue.active()).items.map((item) => item.execution_id)).toEqual(['f-1']);
    expect((await queue.users()).items.map((item) => item.user_id).sort()).toEqual(['ann', 'bob', 'cat']);

    expect(await queue.cancel('f-2')).toEqual({ execution_id: 'f-2', state: 'pending' });
    await settled();
    await eventually(async () => (await queue.status()).queue_depth === 1, 'the cancelled execution left the queue');
  });

  it('refuses with typed errors that name what is wrong', async () => {
    const queue = grading.queue;
    const invalid = await queue.submit({ user_id: 'ann', language: 'python', language_version: '3.11' } as never).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidSubmissionError);
    expect((invalid as InvalidSubmissionError).fields.map((field) => field.field)).toContain('script');
    expect((invalid as InvalidSubmissionError).code).toBe('INVALID_SUBMISSION');

    await expect(queue.lookup('no-such-execution')).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await expect(queue.cancel('no-such-execution')).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND', executionId: 'no-such-execution' });
    await expect(queue.reprioritize('f-1', 'low')).rejects.toBeInstanceOf(ExecutionNotPendingError);
    await expect(queue.setUserWeight('ann', 0)).rejects.toBeInstanceOf(InvalidSubmissionError);
  });

  it('holds and resumes dispatching', async () => {
    const queue = grading.queue;
    expect(await queue.hold()).toMatchObject({ held: true });
    expect(await queue.resume()).toMatchObject({ held: false });
  });
});
