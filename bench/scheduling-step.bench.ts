import { PRIORITIES, type Priority } from '../src/contracts/priority.constants.js';
import { CoordinatorState } from '../src/coordinator/domain/coordinator-state.js';
import { PendingQueue } from '../src/coordinator/domain/pending-queue.js';
import type { QueueLimits } from '../src/coordinator/domain/queue-limits.js';
import { IndexedBinaryHeapQueue } from './indexed-binary-heap.queue.js';
import { formatRate, gc, measure, printTable, random } from './queue-core.bench.js';

/**
 * The scheduling step: taking the next pending execution *and* marking it active (its slot,
 * its lease and grace deadline, its user's counts), as CoordinatorState.dispatchNext does for
 * every dispatch, beside its largest part alone (PendingQueue.takeNext at the same size) and a
 * plain binary heap's pop, in alternating rounds, median of seven. Each timed batch runs at the
 * size under test: between batches, untimed, the dispatched executions are released and as
 * many new ones admitted.
 */

const USERS = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
const BATCH = 1000;
const ROUNDS = 7;
const ROUND_MS = 300;

/** No limit gets in the way: the step is measured, not a refusal. */
const LIMITS: QueueLimits = {
  maxQueueSize: 10_000_000,
  maxExecutionsPerUser: 10_000_000,
  staleTimeoutSeconds: 24 * 3600,
  recentIdsCapacity: 100_000,
  maxActiveExecutions: 10_000_000,
  leaseSeconds: 600,
  dispatchGraceSeconds: 30,
};

interface Contender {
  name: string;
  measure(budgetMs: number): number;
}

function contenders(size: number): Contender[] {
  const next = random(size);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  let fresh = 0;
  const freshIds: string[] = [];
  const freshUsers: string[] = [];
  const freshPriorities: Priority[] = [];
  const prepareFresh = (i: number) => {
    freshIds[i] = `step-${size}-${(fresh++).toString(36)}`;
    freshUsers[i] = pick(USERS);
    freshPriorities[i] = pick(PRIORITIES);
  };
  const payload = null;

  const state = new CoordinatorState<null>(LIMITS);
  const queue = new PendingQueue<null>();
  const heap = new IndexedBinaryHeapQueue();
  for (let i = 0; i < size; i++) {
    prepareFresh(0);
    state.admit({ executionId: freshIds[0]!, userId: freshUsers[0]!, priority: freshPriorities[0]!, payload }, 0);
    queue.enqueue(freshIds[0]!, freshUsers[0]!, freshPriorities[0]!, 0, payload);
    heap.enqueue(freshIds[0]!, freshUsers[0]!, freshPriorities[0]!, 0);
  }

  const sagaId = 'saga-of-the-benchmark';
  const dispatched: string[] = [];
  return [
    {
      name: 'scheduling step (take next + mark active)',
      measure: (budgetMs) =>
        measure(
          budgetMs,
          BATCH,
          () => {
            const outcome = state.dispatchNext(1, sagaId);
            if (outcome.kind === 'dispatched') dispatched.push(outcome.execution.executionId);
          },
          (index) => {
            const id = dispatched.pop();
            if (id !== undefined) state.release(id);
            const i = index % BATCH;
            state.admit({ executionId: freshIds[i]!, userId: freshUsers[i]!, priority: freshPriorities[i]!, payload }, 1);
          },
          prepareFresh,
        ),
    },
    {
      name: 'take next alone (PendingQueue)',
      measure: (budgetMs) =>
        measure(budgetMs, BATCH, () => queue.takeNext(), (index) => queue.enqueue(freshIds[index % BATCH]!, freshUsers[index % BATCH]!, freshPriorities[index % BATCH]!, 1, payload), prepareFresh),
    },
    {
      name: 'binary heap pop (indexed heap)',
      measure: (budgetMs) => measure(budgetMs, BATCH, () => heap.takeNext(), (index) => heap.enqueue(freshIds[index % BATCH]!, freshUsers[index % BATCH]!, freshPriorities[index % BATCH]!, 1), prepareFresh),
    },
  ];
}

export function runSchedulingStepBenchmark(sizes = [10_000, 1_000_000]): void {
  const rows: string[][] = [];
  for (const size of sizes) {
    gc();
    const subjects = contenders(size);
    const rates = subjects.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const index = (turn + round) % subjects.length;
        rates[index]!.push(subjects[index]!.measure(ROUND_MS));
      }
    }
    const medians = rates.map((values) => [...values].sort((a, b) => a - b)[values.length >> 1]!);
    for (const [index, subject] of subjects.entries()) {
      rows.push([size.toLocaleString('en'), subject.name, formatRate(medians[index]!), `${(medians[0]! / medians[index]!).toFixed(2)}×`]);
    }
  }
  printTable(['pending', 'operation', 'ops/s', 'step / this'], rows);
}
