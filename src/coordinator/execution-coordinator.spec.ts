import fc from 'fast-check';
import { anExecutionRequest } from '../../test/builders/execution-request.builder.js';
import { RecordingPublisher } from '../../test/builders/recording-publisher.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import type { AnyEvent } from '../contracts/event-registry.js';
import type { ExecutionCancelledEvent } from '../contracts/execution.events.js';
import { PRIORITIES, priorityRank, type Priority } from '../contracts/priority.constants.js';
import { loadConfig } from '../config/load-config.js';
import { ManualClock } from './domain/clock.js';
import { RejectionMessages } from './domain/rejection-messages.js';
import { ExecutionCoordinator, type TerminalEvent } from './execution-coordinator.service.js';
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
const finished = (id: string, type: TerminalEvent['event_type'] = 'execution_completed') => ({ execution_id: id, event_type: type }) as TerminalEvent;
const cancelled = (id: string) => ({ execution_id: id, reason: 'test', event_type: 'execution_cancelled' }) as ExecutionCancelledEvent;

/** What is compared of each published event: its type, execution and the fields that carry decisions. */
function essence(event: AnyEvent): string {
  switch (event.event_type) {
    case 'execution_accepted':
      return `accepted ${event.execution_id} @${event.queue_position} ${event.priority}`;
    case 'execution_failed':
      return `failed ${event.execution_id} ${event.error_type}: ${event.error_message}`;
    case 'create_pod_command':
      return `dispatch ${event.execution_id} ${event.priority}`;
    case 'delete_pod_command':
      return `delete ${event.execution_id} ${event.pod_name}`;
    default:
      return `${event.event_type} ${event.execution_id}`;
  }
}

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

  it('agrees with a simple reference model on every event and count', async () => {
    await fc.assert(fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 80 }), checkAgainstModel), { numRuns: 500 });
  });
});

// ---------------------------------------------------------------------------------------------
// Reference model: plain arrays and linear scans, written straight from DESIGN §4.

type Command =
  | { type: 'request'; id: string; user: string; priority: Priority }
  | { type: 'cancel'; id: string }
  | { type: 'finish'; id: string; as: TerminalEvent['event_type'] }
  | { type: 'reprioritize'; id: string; priority: Priority }
  | { type: 'hold' }
  | { type: 'resume' }
  | { type: 'advance'; ms: number };

const ids = fc.constantFrom(...Array.from({ length: 25 }, (_, i) => `e${i}`));
const priorities = fc.constantFrom(...PRIORITIES);
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('request' as const), id: ids, user: fc.constantFrom('u0', 'u1', 'u2', 'u3'), priority: priorities }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), id: ids }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('finish' as const),
      id: ids,
      as: fc.constantFrom('execution_completed' as const, 'execution_failed' as const, 'execution_timeout' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('reprioritize' as const), id: ids, priority: priorities }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hold' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('resume' as const) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.constantFrom(5_000, 10_000)) }) },
);

interface ModelEntry {
  id: string;
  user: string;
  priority: Priority;
  arrival: number;
  at: number;
}

class ReferenceModel {
  pending: ModelEntry[] = [];
  active = new Map<string, { user: string; priority: Priority }>();
  seen = new Set<string>();
  /** The refusal line of each refused id, repeated when the request comes again. */
  refusals = new Map<string, string>();
  held = false;
  now = Date.UTC(2026, 0, 1);
  private arrivals = 0;
  out: string[] = [];

  apply(command: Command): void {
    switch (command.type) {
      case 'request':
        return this.request(command.id, command.user, command.priority);
      case 'cancel': {
        const active = this.active.get(command.id);
        this.forget(command.id);
        if (active) this.out.push(`delete ${command.id} executor-${command.id}`);
        return this.schedule();
      }
      case 'finish':
        this.forget(command.id);
        return this.schedule();
      case 'reprioritize': {
        const entry = this.pending.find((candidate) => candidate.id === command.id);
        if (!entry) return;
        entry.priority = command.priority;
        return this.schedule();
      }
      case 'hold':
        this.held = true;
        return;
      case 'resume':
        this.held = false;
        return this.schedule();
      case 'advance':
        this.now += command.ms;
        return;
    }
  }

  private request(id: string, user: string, priority: Priority): void {
    const queued = this.pending.find((entry) => entry.id === id);
    if (queued) {
      this.out.push(`accepted ${id} @${this.inOrder().indexOf(queued)} ${queued.priority}`);
      return;
    }
    if (this.refusals.has(id)) {
      this.out.push(this.refusals.get(id)!);
      return;
    }
    if (this.active.has(id)) {
      // Re-announced at the front: the first answer may have been lost with a crashed replica.
      this.out.push(`accepted ${id} @0 ${priority}`);
      return;
    }
    if (this.seen.has(id)) return;
    if (this.pending.length >= QUEUE.maxQueueSize) {
      const stale = this.pending.filter((entry) => this.isStale(entry)).sort((a, b) => a.arrival - b.arrival);
      for (const entry of stale) {
        this.forget(entry.id);
        this.out.push(`failed ${entry.id} timeout: ${RejectionMessages.expiredInQueue(QUEUE.staleTimeoutSeconds)}`);
      }
      if (this.pending.length >= QUEUE.maxQueueSize) {
        this.refuse(id, `failed ${id} resource_limit: ${RejectionMessages.queueFull(QUEUE.maxQueueSize)}`);
        return;
      }
    }
    if (this.usage(user) >= QUEUE.maxExecutionsPerUser) {
      this.refuse(id, `failed ${id} resource_limit: ${RejectionMessages.userLimit(QUEUE.maxExecutionsPerUser)}`);
      return;
    }
    const entry = { id, user, priority, arrival: this.arrivals++, at: this.now };
    this.pending.push(entry);
    this.out.push(`accepted ${id} @${this.inOrder().indexOf(entry)} ${priority}`);
    this.schedule();
  }

  private refuse(id: string, line: string): void {
    this.seen.add(id);
    this.refusals.set(id, line);
    this.out.push(line);
  }

  private schedule(): void {
    while (!this.held && this.active.size < QUEUE.maxActiveExecutions && this.pending.length > 0) {
      const next = this.inOrder()[0]!;
      this.pending = this.pending.filter((entry) => entry !== next);
      this.seen.add(next.id);
      if (this.isStale(next)) {
        this.out.push(`failed ${next.id} timeout: ${RejectionMessages.expiredInQueue(QUEUE.staleTimeoutSeconds)}`);
        continue;
      }
      this.active.set(next.id, { user: next.user, priority: next.priority });
      this.out.push(`dispatch ${next.id} ${next.priority}`);
    }
  }

  inOrder(): ModelEntry[] {
    return [...this.pending].sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || a.arrival - b.arrival);
  }

  usage(user: string): number {
    return this.pending.filter((entry) => entry.user === user).length + [...this.active.values()].filter((a) => a.user === user).length;
  }

  private isStale(entry: ModelEntry): boolean {
    return this.now - entry.at > QUEUE.staleTimeoutSeconds * 1000;
  }

  private forget(id: string): void {
    if (this.active.delete(id) || this.pending.some((entry) => entry.id === id)) this.seen.add(id);
    this.pending = this.pending.filter((entry) => entry.id !== id);
  }
}

async function checkAgainstModel(commands: Command[]): Promise<void> {
  const { coordinator, publisher, clock } = setUp();
  const model = new ReferenceModel();
  clock.set(model.now);
  for (const command of commands) {
    model.apply(command);
    switch (command.type) {
      case 'request':
        await coordinator.handleRequested(requestFor(command.id, command.user, command.priority));
        break;
      case 'cancel':
        await coordinator.handleCancelled(cancelled(command.id));
        break;
      case 'finish':
        await coordinator.handleFinished(finished(command.id, command.as));
        break;
      case 'reprioritize':
        await coordinator.reprioritize(command.id, command.priority);
        break;
      case 'hold':
        await coordinator.hold();
        break;
      case 'resume':
        await coordinator.resume();
        break;
      case 'advance':
        clock.advance(command.ms);
        break;
    }
    expect(publisher.take().map(essence)).toEqual(model.out.splice(0));
    const status = await coordinator.status();
    expect(status.pendingCount).toBe(model.pending.length);
    expect(status.activeCount).toBe(model.active.size);
    expect(status.held).toBe(model.held);
    for (const priority of PRIORITIES) {
      expect(status.byPriority[priority]).toBe(model.pending.filter((entry) => entry.priority === priority).length);
    }
    for (const user of ['u0', 'u1', 'u2', 'u3']) {
      const usage = await (coordinator as unknown as { store: InMemoryQueueStateStore }).store.userUsage(user);
      expect(usage.pending + usage.active).toBe(model.usage(user));
    }
    for (const [position, entry] of model.inOrder().entries()) {
      expect(await (coordinator as unknown as { store: InMemoryQueueStateStore }).store.lookup(entry.id)).toMatchObject({ state: 'pending', position });
    }
  }
}
