import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** Milliseconds past the last full 100 s of wall-clock time: short, and the same in every process. */
export function wallClockMark(at = performance.now()): string {
  return ((performance.timeOrigin + at) % 100_000).toFixed(0);
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };
const CHECK_EVERY_MS = 10;
const REPORTED_FROM_MS = 10;

/**
 * With BENCH_TRACE set, prints this process's CPU use every second, its garbage collections over
 * 5 ms and its event-loop stalls over REPORTED_FROM_MS, each stamped with wallClockMark, so that
 * a slow stretch in a latency timeline can be matched with what each process was doing.
 */
export function traceStalls(label: string): void {
  if (!process.env.BENCH_TRACE) return;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration <= 5) continue;
      const kind = GC_KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      console.error(`[stall] ${label}: ${kind} gc of ${entry.duration.toFixed(1)} ms at ${wallClockMark(entry.startTime)}`);
    }
  }).observe({ entryTypes: ['gc'] });
  let cpu = process.cpuUsage();
  let cpuAt = performance.now();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    const now = performance.now();
    console.error(`[cpu] ${label}: ${((used.user + used.system) / 10 / (now - cpuAt)).toFixed(0)}% of a core until ${wallClockMark(now)}`);
    cpu = process.cpuUsage();
    cpuAt = now;
  }, 1000).unref();
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - CHECK_EVERY_MS;
    if (late > REPORTED_FROM_MS) console.error(`[stall] ${label}: event loop ${late.toFixed(1)} ms late at ${wallClockMark(now)}`);
    last = now;
  }, CHECK_EVERY_MS).unref();
}
