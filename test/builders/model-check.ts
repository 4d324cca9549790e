import { loadConfig } from '../../src/config/load-config.js';
import type { ExecutionQueueOptions } from '../../src/config/execution-queue.options.js';
import { PRIORITIES } from '../../src/contracts/priority.constants.js';
import { ManualClock } from '../../src/coordinator/domain/clock.js';
import type { QueueLimits } from '../../src/coordinator/domain/queue-limits.js';
import { ExecutionCoordinator } from '../../src/coordinator/execution-coordinator.service.js';
import type { QueueStateStore } from '../../src/coordinator/queue-state-store.port.js';
import { anExecutionRequest } from './execution-request.builder.js';
import { RecordingPublisher } from './recording-publisher.js';
import { burstIds, cancelledEvent, essence, finishedEvent, MODEL_USERS, ReferenceModel, type ModelCommand } from './reference-model.js';

/** Above this many pending executions their positions are compared through one page read rather than a lookup each. */
const LOOKUPS_UP_TO = 24;

/**
 * Drives the real coordinator over `store` and the reference model with the same commands,
 * and after each command compares every published event and every count: depth by priority,
 * active, held, each user's usage, each pending execution's position, each active execution.
 */
export async function checkAgainstModel(store: QueueStateStore, limits: QueueLimits, commands: readonly ModelCommand[]): Promise<void> {
  const options: ExecutionQueueOptions = { ...loadConfig({}), queue: { ...loadConfig({}).queue, ...limits } };
  const model = new ReferenceModel(limits);
  const clock = new ManualClock(model.now);
  const publisher = new RecordingPublisher();
  const coordinator = new ExecutionCoordinator(store, publisher, clock, options);
  for (const [step, command] of commands.entries()) {
    model.apply(command);
    await applyToCoordinator(coordinator, publisher, clock, command, store);
    const context = `after step ${step} (${JSON.stringify(command)})`;
    expect({ context, events: publisher.take().map(essence) }).toEqual({ context, events: model.out.splice(0) });
    const status = await store.snapshot();
    const byPriority = Object.fromEntries(PRIORITIES.map((priority) => [priority, model.pending.filter((entry) => entry.level === priority).length]));
    expect({ context, pending: status.pendingCount, active: status.activeCount, held: status.held, byPriority: status.byPriority }).toEqual({
      context,
      pending: model.pending.length,
      active: model.active.size,
      held: model.held,
      byPriority,
    });
    for (const user of MODEL_USERS) {
      const usage = await store.userUsage(user);
      expect({ context, user, usage: usage.pending + usage.active }).toEqual({ context, user, usage: model.usage(user) });
    }
    const inOrder = model.inOrder();
    if (inOrder.length > LOOKUPS_UP_TO) {
      const page = await store.pendingPage({}, 0, inOrder.length + 1);
      expect({ context, total: page.total, pending: page.items.map(({ executionId, position, priority, effectivePriority }) => ({ executionId, position, priority, effectivePriority })) }).toEqual({
        context,
        total: inOrder.length,
        pending: inOrder.map((entry, position) => ({ executionId: entry.id, position, priority: entry.priority, effectivePriority: entry.level === entry.priority ? undefined : entry.level })),
      });
    } else {
      for (const [position, entry] of inOrder.entries()) {
        expect({ context, lookup: await store.lookup(entry.id) }).toMatchObject({
          context,
          lookup: { state: 'pending', position, effectivePriority: entry.level === entry.priority ? undefined : entry.level, execution: { priority: entry.priority } },
        });
      }
    }
    for (const id of model.active.keys()) {
      expect({ context, lookup: await store.lookup(id) }).toMatchObject({ context, lookup: { state: 'active' } });
    }
  }
}

async function applyToCoordinator(coordinator: ExecutionCoordinator, publisher: RecordingPublisher, clock: ManualClock, command: ModelCommand, store: QueueStateStore): Promise<void> {
  switch (command.type) {
    case 'request':
      return coordinator.handleRequested(anExecutionRequest().withId(command.id).withUser(command.user).withPriority(command.priority).build());
    case 'cancel':
      return coordinator.handleCancelled(cancelledEvent(command.id));
    case 'finish':
      return coordinator.handleFinished(finishedEvent(command.id, command.as));
    case 'sign-of-life':
      return coordinator.handleSignOfLife(command.id);
    case 'reprioritize':
      await coordinator.reprioritize(command.id, command.priority);
      return;
    case 'hold':
      return coordinator.hold();
    case 'resume':
      return coordinator.resume();
    case 'housekeeping':
      return coordinator.schedule();
    case 'weight':
      return store.setUserWeight(command.user, command.weight);
    case 'lose-confirmations':
      publisher.confirmationsLost = command.on;
      return;
    case 'advance':
      clock.advance(command.ms);
      return;
    case 'burst':
      for (const id of burstIds(command)) await coordinator.handleRequested(anExecutionRequest().withId(id).withUser(command.user).withPriority(command.priority).build());
      return;
  }
}
