import { PRIORITIES, type Priority } from '../src/contracts/priority.constants.js';
import { PendingQueue } from '../src/coordinator/domain/pending-queue.js';
import { IndexedBinaryHeapQueue } from './indexed-binary-heap.queue.js';
import { NaiveBinaryHeapQueue } from './naive-binary-heap.queue.js';

/**
 * The queue core at 10k, 100k and 1M pending: ops/s of each operation at that size and heap
 * bytes per pending entry, for our PendingQueue under fifo and under fair order (1,000 users,
 * default weights) and the indexed binary heap (measured in alternating rounds, median of
 * seven) and, in the same run, the naive binary heap.
 */

interface QueueUnderTest {
  size: number;
  enqueue(executionId: string, userId: string, priority: Priority, enqueuedAt: number): void;
  takeNext(): unknown;
  remove(executionId: string): unknown;
  rank(executionId: string): number;
  reprioritize(executionId: string, priority: Priority): unknown;
}

const OPERATIONS = ['enqueue', 'take next', 'remove by id', 'rank', 'reprioritize'] as const;

type Operation = (typeof OPERATIONS)[number];

/** Deterministic pseudo-random numbers, so both queues see the same workload. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const USERS = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Runs `timed` in batches until the time budget is spent, with `restore` (untimed) after each
 * batch putting the queue back to its starting size. Every operation is thus measured at the
 * size under test, and costs that come in bursts (hash-table growth, garbage collection) land
 * in the batches where they really happen. Returns ops/s of the timed part.
 */
export function measure(
  budgetMs: number,
  batch: number,
  timed: (index: number) => void,
  restore: (index: number) => void = () => {},
  prepare: (index: number) => void = () => {},
): number {
  let timedNs = 0n;
  let done = 0;
  const started = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - started) / 1e6 < budgetMs) {
    for (let i = 0; i < batch; i++) prepare(i);
    const batchStart = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) timed(done + i);
    timedNs += process.hrtime.bigint() - batchStart;
    for (let i = 0; i < batch; i++) restore(done + i);
    done += batch;
  }
  return done / (Number(timedNs) / 1e9);
}

function fill(queue: QueueUnderTest, ids: string[], priorities: Priority[]): void {
  for (let i = 0; i < ids.length; i++) queue.enqueue(ids[i]!, USERS[i % USERS.length]!, priorities[i]!, i);
}

interface Workload {
  size: number;
  /** Operations per timed batch: large for fast structures, small for slow ones. */
  batch: number;
  /** Batch for rank, when it is much slower than the rest (a heap's O(n) rank). */
  rankBatch?: number;
}

/** A filled queue and, for each operation, a measurement of it at the size under test. */
interface Subject {
  bytesPerEntry: number;
  measureOperation: Record<Operation, (budgetMs: number) => number>;
}

function prepareSubject(make: () => QueueUnderTest, { size, batch, rankBatch = batch }: Workload): Subject {
  const next = random(size);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const ids = Array.from({ length: size }, (_, i) => `exec-${size}-${i.toString(36)}`);
  const priorities = ids.map(() => pick(PRIORITIES));

  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const queue = make();
  fill(queue, ids, priorities);
  gc();
  const bytesPerEntry = (process.memoryUsage().heapUsed - before) / size;

  // Removal, rank and reprioritisation come first, while every id in `live` is in the queue
  // (removed ones are put back after each batch), so each call finds its execution.
  const live = ids.slice();
  const victims: string[] = [];
  const targets: string[] = [];
  const targetPriorities: Priority[] = [];
  const prepareTargets = (i: number) => {
    targets[i] = pick(live);
    targetPriorities[i] = pick(PRIORITIES);
  };
  // Ids, users and priorities of new executions are made between timed batches: making them is
  // the caller's cost, not the queue's.
  let fresh = 0;
  const batchIds: string[] = [];
  const batchUsers: string[] = [];
  const batchPriorities: Priority[] = [];
  const prepareFresh = (i: number) => {
    batchIds[i] = `new-${size}-${(fresh++).toString(36)}`;
    batchUsers[i] = pick(USERS);
    batchPriorities[i] = pick(PRIORITIES);
  };
  const enqueueFresh = (index: number) => {
    const i = index % batch;
    queue.enqueue(batchIds[i]!, batchUsers[i]!, batchPriorities[i]!, size + index);
  };
  return {
    bytesPerEntry,
    measureOperation: {
      'remove by id': (budgetMs) =>
        measure(
          budgetMs,
          batch,
          (index) => {
            const id = targets[index % batch]!;
            if (queue.remove(id) !== undefined) victims.push(id);
          },
          () => {
            const id = victims.pop();
            if (id !== undefined) queue.enqueue(id, pick(USERS), pick(PRIORITIES), 0);
          },
          prepareTargets,
        ),
      rank: (budgetMs) => measure(budgetMs, rankBatch, (index) => queue.rank(targets[index % rankBatch]!), undefined, prepareTargets),
      reprioritize: (budgetMs) =>
        measure(budgetMs, batch, (index) => queue.reprioritize(targets[index % batch]!, targetPriorities[index % batch]!), undefined, prepareTargets),
      enqueue: (budgetMs) => measure(budgetMs, batch, enqueueFresh, () => queue.takeNext(), prepareFresh),
      'take next': (budgetMs) => measure(budgetMs, batch, () => queue.takeNext(), enqueueFresh, prepareFresh),
    },
  };
}

/** Operations in the order they are measured: those that address an existing id first. */
const MEASURED_ORDER: Operation[] = ['remove by id', 'rank', 'reprioritize', 'enqueue', 'take next'];

/**
 * Measures each operation of several queues at the same size in alternating short rounds and
 * keeps each one's median: this machine's speed drifts by a fifth over minutes, and taking turns
 * makes the ratios between the queues hold even when the absolute figures move.
 */
function benchmarkSideBySide(subjects: Subject[], rounds: number, roundMs: number): Record<Operation, number>[] {
  const rates = subjects.map(() => Object.fromEntries(OPERATIONS.map((operation) => [operation, [] as number[]])) as Record<Operation, number[]>);
  for (const operation of MEASURED_ORDER) {
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const index = (turn + round) % subjects.length;
        rates[index]![operation].push(subjects[index]!.measureOperation[operation](roundMs));
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  return rates.map((perOperation) => Object.fromEntries(OPERATIONS.map((operation) => [operation, median(perOperation[operation])])) as Record<Operation, number>);
}

export function formatRate(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)}M`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)}k`;
  return opsPerSecond.toFixed(0);
}

export function runQueueCoreBenchmark(sizes = [10_000, 100_000, 1_000_000]): void {
  if (!(globalThis as { gc?: unknown }).gc) console.warn('(run with --expose-gc for exact memory figures)');
  checkReferencesAgree();
  const rows: string[][] = [];
  for (const size of sizes) {
    const slowBatch = Math.max(1, Math.floor(1e6 / size));
    const fifoSubject = prepareSubject(() => new PendingQueue<null>() as unknown as QueueUnderTest, { size, batch: 1000 });
    const fairSubject = prepareSubject(() => new PendingQueue<null>({ order: 'fair', agingMs: 0, defaultUserWeight: 1 }) as unknown as QueueUnderTest, { size, batch: 1000 });
    const indexedSubject = prepareSubject(() => new IndexedBinaryHeapQueue(), { size, batch: 1000, rankBatch: slowBatch });
    const [fifoRates, fairRates, indexedRates] = benchmarkSideBySide([fifoSubject, fairSubject, indexedSubject], 7, 300);
    const ours = { ...fifoRates!, bytesPerEntry: fifoSubject.bytesPerEntry };
    const fair = { ...fairRates!, bytesPerEntry: fairSubject.bytesPerEntry };
    const indexed = { ...indexedRates!, bytesPerEntry: indexedSubject.bytesPerEntry };
    const naiveSubject = prepareSubject(() => new NaiveBinaryHeapQueue(), { size, batch: slowBatch });
    const naive = { ...benchmarkSideBySide([naiveSubject], 1, 1000)[0]!, bytesPerEntry: naiveSubject.bytesPerEntry };
    const ratio = (a: number, b: number, digits = 1) => `${(a / b).toFixed(digits)}×`;
    for (const operation of OPERATIONS) {
      const [f, r, i, n] = [ours[operation], fair[operation], indexed[operation], naive[operation]];
      rows.push([size.toLocaleString('en'), operation, formatRate(f), formatRate(r), ratio(r, f, 2), formatRate(i), ratio(f, i, 2), formatRate(n), ratio(f, n)]);
    }
    const bytes = [ours.bytesPerEntry, fair.bytesPerEntry, indexed.bytesPerEntry, naive.bytesPerEntry];
    rows.push([
      size.toLocaleString('en'),
      'bytes per entry',
      bytes[0]!.toFixed(0),
      bytes[1]!.toFixed(0),
      ratio(bytes[1]!, bytes[0]!, 2),
      bytes[2]!.toFixed(0),
      ratio(bytes[0]!, bytes[2]!, 2),
      bytes[3]!.toFixed(0),
      ratio(bytes[0]!, bytes[3]!, 2),
    ]);
  }
  printTable(['pending', 'operation', 'fifo ops/s', 'fair ops/s', 'fair / fifo', 'indexed heap ops/s', 'fifo / indexed', 'naive heap ops/s', 'fifo / naive'], rows);
}

/**
 * A reference that orders wrongly would make every ratio meaningless: before measuring, the
 * references and PendingQueue (fifo) take the same 5,000 executions, with removals and changes
 * of priority among them, and must agree on every rank and on the order they hand them out.
 */
function checkReferencesAgree(): void {
  const queues: QueueUnderTest[] = [new PendingQueue<null>() as unknown as QueueUnderTest, new IndexedBinaryHeapQueue(), new NaiveBinaryHeapQueue()];
  const next = random(7);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const ids = Array.from({ length: 5000 }, (_, i) => `check-${i}`);
  const priorities = ids.map(() => pick(PRIORITIES));
  for (const queue of queues) fill(queue, ids, priorities);
  for (let i = 0; i < 500; i++) {
    const [removed, moved, priority] = [pick(ids), pick(ids), pick(PRIORITIES)];
    for (const queue of queues) {
      queue.remove(removed);
      queue.reprioritize(moved, priority);
    }
  }
  const answers = queues.map((queue) => ids.map((id) => queue.rank(id)).join(','));
  const orders = queues.map((queue) => {
    const taken: string[] = [];
    for (let entry = queue.takeNext(); entry !== undefined; entry = queue.takeNext()) taken.push((entry as { executionId: string }).executionId);
    return taken.join(',');
  });
  if (new Set(answers).size !== 1 || new Set(orders).size !== 1) throw new Error('The queue references disagree with PendingQueue on rank or order');
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}
