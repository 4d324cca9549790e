import { PRIORITIES, type Priority } from '../src/contracts/priority.constants.js';
import { PendingQueue } from '../src/coordinator/domain/pending-queue.js';
import { NaiveBinaryHeapQueue } from './naive-binary-heap.queue.js';

/**
 * The queue core at 10k, 100k and 1M pending: ops/s of each operation at that size and heap
 * bytes per pending entry, for our PendingQueue and, in the same run, the naive binary heap.
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
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const USERS = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Runs `operation` over `ids` until all are done or the time budget is spent; returns ops/s. */
function measure(ids: string[], budgetMs: number, operation: (id: string, index: number) => void): number {
  const started = process.hrtime.bigint();
  let done = 0;
  for (; done < ids.length; done++) {
    operation(ids[done]!, done);
    if ((done & 63) === 0 && Number(process.hrtime.bigint() - started) / 1e6 > budgetMs) {
      done++;
      break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return done / seconds;
}

function fill(queue: QueueUnderTest, ids: string[], priorities: Priority[]): void {
  for (let i = 0; i < ids.length; i++) queue.enqueue(ids[i]!, USERS[i % USERS.length]!, priorities[i]!, i);
}

function benchmarkQueue(make: () => QueueUnderTest, size: number, budgetMs: number): Record<Operation, number> & { bytesPerEntry: number } {
  const next = random(size);
  const ids = Array.from({ length: size }, (_, i) => `exec-${size}-${i.toString(36)}`);
  const priorities = ids.map(() => PRIORITIES[Math.floor(next() * PRIORITIES.length)]!);
  const sampleCount = Math.min(size, 100_000);
  const sample = Array.from({ length: sampleCount }, () => ids[Math.floor(next() * size)]!);
  const uniqueSample = [...new Set(sample)];
  const newPriorities = sample.map(() => PRIORITIES[Math.floor(next() * PRIORITIES.length)]!);
  const extra = Array.from({ length: sampleCount }, (_, i) => `extra-${size}-${i.toString(36)}`);

  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const queue = make();
  fill(queue, ids, priorities);
  gc();
  const bytesPerEntry = (process.memoryUsage().heapUsed - before) / size;

  const result = { bytesPerEntry } as Record<Operation, number> & { bytesPerEntry: number };
  // Each timed phase leaves the queue at `size` entries again, so every operation runs at that size.
  result['enqueue'] = measure(extra, budgetMs, (id, i) => queue.enqueue(id, USERS[i % USERS.length]!, priorities[i]!, size + i));
  result['take next'] = measure(extra, budgetMs, () => queue.takeNext());
  while (queue.size > size) queue.takeNext();
  while (queue.size < size) queue.enqueue(`refill-${queue.size}`, 'user-0', 'background', 0);
  result['rank'] = measure(uniqueSample, budgetMs, (id) => queue.rank(id));
  result['reprioritize'] = measure(sample, budgetMs, (id, i) => queue.reprioritize(id, newPriorities[i]!));
  const removed: string[] = [];
  result['remove by id'] = measure(uniqueSample, budgetMs, (id) => {
    if (queue.remove(id) !== undefined) removed.push(id);
  });
  return result;
}

function formatRate(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)}M`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)}k`;
  return opsPerSecond.toFixed(0);
}

export function runQueueCoreBenchmark(sizes = [10_000, 100_000, 1_000_000]): void {
  if (!(globalThis as { gc?: unknown }).gc) console.warn('(run with --expose-gc for exact memory figures)');
  const rows: string[][] = [];
  for (const size of sizes) {
    const ours = benchmarkQueue(() => new PendingQueue<null>() as unknown as QueueUnderTest, size, 2000);
    const naive = benchmarkQueue(() => new NaiveBinaryHeapQueue(), size, 1000);
    for (const operation of OPERATIONS) {
      rows.push([size.toLocaleString('en'), operation, formatRate(ours[operation]), formatRate(naive[operation]), `${(ours[operation] / naive[operation]).toFixed(1)}×`]);
    }
    rows.push([size.toLocaleString('en'), 'bytes per entry', ours.bytesPerEntry.toFixed(0), naive.bytesPerEntry.toFixed(0), `${(ours.bytesPerEntry / naive.bytesPerEntry).toFixed(2)}×`]);
  }
  printTable(['pending', 'operation', 'PendingQueue ops/s', 'naive heap ops/s', 'ratio'], rows);
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}
