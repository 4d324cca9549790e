import fc from 'fast-check';
import { anExecutionRequest } from '../../test/builders/execution-request.builder.js';
import { checkAgainstModel } from '../../test/builders/model-check.js';
import { RecordingPublisher } from '../../test/builders/recording-publisher.js';
import { cancelledEvent, essence, finishedEvent, modelLimitsArbitrary, modelSequenceArbitrary } from '../../test/builders/reference-model.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { Priority } from '../contracts/priority.constants.js';
import { loadConfig } from '../config/load-config.js';
import { ManualClock } from './domain/clock.js';
import { RejectionMessages } from './domain/rejection-messages.js';
import { ExecutionCoordinator } from './execution-coordinator.service.js';
import { InMemoryQueueStateStore } from './stores/in-memory-queue-state.store.js';

const QUEUE = { maxQueueSize: 5, maxExecutionsPerUser: 3, staleTimeoutSeconds: 10, maxActiveExecutions: 2, recentIdsCapacity: 100_000, leaseSeconds: 600, dispatchGraceSeconds: 30 };

function setUp(queue: Partial<ExecutionQueueOptions['queue']> = {}) {
  const options: ExecutionQueueOptions = { ...loadConfig({}), queue: { ...QUEUE, ...queue } };
  const clock = new ManualClock();
  const publisher = new RecordingPublisher();
  const coordinator = new ExecutionCoordinator(new InMemoryQueueStateStore(options.queue), publisher, clock, options);
  return { coordinator, publisher, clock, options };
}

const requestFor = (id: string, user: string, priority: Priority = 'normal') => anExecutionRequest().withId(id).withUser(user).withPriority(priority).build();
const finished = finishedEvent;
const cancelled = cancelledEvent;

describe('ExecutionCoordinator', () => {
  it('accepts, reports the true position and dispatches up to the global limit', async () => {
    const { coordinator, publisher } = setUp();
    for (const [id, priority] of [['a', 'low'], ['b', 'normal'], ['c', 'normal'], ['d', 'critical']] as const) {
      await coordinator.handleRequested(requestFor(id, `user-${id}`, priority));
    }
    expect(publisher.take().map(essence)).toEqual([
      'accepted a @0 low',
      'dispatch a low',
      'accepted b @0 normal',
      'dispatch b normal',
      'accepted c @0 normal',
      'accepted d @0 critical',
    ]);
    await coordinator.handleFinished(finished('a'));
    expect(publisher.take().map(essence)).toEqual(['dispatch d critical']);
  });

  it('copies every request field into create_pod_command under a fresh saga id', async () => {
    const { coordinator, publisher } = setUp();
    const request = requestFor('a', 'u');
    await coordinator.handleRequested(request);
    const [command] = publisher.ofType('create_pod_command');
    expect(command).toMatchObject({
      execution_id: 'a',
      script: request.script,
      runtime_command: request.runtime_command,
      timeout_seconds: request.timeout_seconds,
      memory_limit: request.memory_limit,
      priority: 'normal',
      aggregate_id: 'a',
      metadata: { user_id: 'u', environment: 'test', service_name: 'execution-queue' },
    });
    expect(command!.saga_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects over the per-user limit and a full queue with the documented messages', async () => {
    const { coordinator, publisher } = setUp({ maxActiveExecutions: 1 });
    for (const id of ['a', 'b', 'c', 'd']) await coordinator.handleRequested(requestFor(id, 'same-user'));
    for (const id of ['e', 'f', 'g', 'h']) await coordinator.handleRequested(requestFor(id, `user-${id}`));
    const failures = publisher.ofType('execution_failed').map((event) => [event.execution_id, event.error_type, event.error_message]);
    expect(failures).toEqual([
      ['d', 'resource_limit', RejectionMessages.userLimit(3)],
      ['h', 'resource_limit', RejectionMessages.queueFull(5)],
    ]);
    expect(failures[0]![2]).toContain('max_executions_per_user is 3');
    expect(failures[1]![2]).toContain('queue is full');
  });

  it('cancels an active execution by deleting its pod, and a pending one silently', async () => {
    const { coordinator, publisher } = setUp({ maxActiveExecutions: 1 });
    await coordinator.handleRequested(requestFor('a', 'u'));
    await coordinator.handleRequested(requestFor('b', 'u'));
    publisher.take();
    await coordinator.handleCancelled(cancelled('b'));
    expect(publisher.take()).toEqual([]);
    await coordinator.handleCancelled(cancelled('a'));
    expect(publisher.take().map(essence)).toEqual(['delete a executor-a']);
  });

  it('releases the slot and reports a system error when dispatch cannot be published', async () => {
    const { coordinator, publisher } = setUp({ maxActiveExecutions: 1 });
    publisher.failingTypes.add('create_pod_command');
    await coordinator.handleRequested(requestFor('a', 'u'));
    await coordinator.handleRequested(requestFor('b', 'u'));
    expect(publisher.take().map(essence)).toEqual([
      'accepted a @0 normal',
      `failed a system_error: ${RejectionMessages.dispatchFailed('broker refused create_pod_command')}`,
      'accepted b @0 normal',
      `failed b system_error: ${RejectionMessages.dispatchFailed('broker refused create_pod_command')}`,
    ]);
    expect(await coordinator.status()).toMatchObject({ activeCount: 0, pendingCount: 0 });
  });

  it('keeps going when a dispatch cannot be recorded as published, and repeats its command under the same event id', async () => {
    const { options, clock, publisher } = setUp({ maxActiveExecutions: 1 });
    const store = new InMemoryQueueStateStore(options.queue);
    store.confirmDispatched = () => Promise.reject(new Error('store away'));
    const coordinator = new ExecutionCoordinator(store, publisher, clock, options);
    await coordinator.handleRequested(requestFor('a', 'u'));
    const [first] = publisher.ofType('create_pod_command');
    expect(publisher.take().map(essence)).toEqual(['accepted a @0 normal', 'dispatch a normal']);
    clock.advance(options.queue.dispatchGraceSeconds * 1000 + 1);
    await coordinator.schedule();
    const repeated = publisher.ofType('create_pod_command');
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({ execution_id: 'a', event_id: first!.event_id, saga_id: first!.saga_id });
    expect(first!.event_id).toBe(first!.saga_id);
  });

  it('ignores a redelivered completion: one completion frees one slot', async () => {
    const { coordinator, publisher } = setUp({ maxActiveExecutions: 2 });
    for (const id of ['a', 'b', 'c', 'd']) await coordinator.handleRequested(requestFor(id, `u-${id}`));
    publisher.take();
    await coordinator.handleFinished(finished('a'));
    await coordinator.handleFinished(finished('a'));
    expect(publisher.take().map(essence)).toEqual(['dispatch c normal']);
    expect((await coordinator.status()).activeCount).toBe(2);
  });

  it('dispatches a reprioritised execution with its new priority', async () => {
    const { coordinator, publisher } = setUp();
    await coordinator.hold();
    await coordinator.handleRequested(requestFor('a', 'u', 'critical'));
    await coordinator.reprioritize('a', 'low');
    await coordinator.resume();
    expect(publisher.ofType('create_pod_command').map((event) => event.priority)).toEqual(['low']);
  });

  it('holds dispatching but keeps accepting, then resumes', async () => {
    const { coordinator, publisher } = setUp();
    await coordinator.hold();
    await coordinator.handleRequested(requestFor('a', 'u'));
    expect(publisher.take().map(essence)).toEqual(['accepted a @0 normal']);
    await coordinator.resume();
    expect(publisher.take().map(essence)).toEqual(['dispatch a normal']);
  });

  // The same check runs against the Redis store in test/integration/store-parity.int-spec.ts.
  it('agrees with the reference model on every event and count, leases and grace periods included', async () => {
    await fc.assert(
      fc.asyncProperty(modelLimitsArbitrary, modelSequenceArbitrary, (limits, commands) =>
        checkAgainstModel(new InMemoryQueueStateStore(limits), limits, commands),
      ),
      { numRuns: 500 },
    );
  });
});
