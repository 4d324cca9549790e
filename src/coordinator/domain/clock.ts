/** Source of the current time, injected so tests control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  /** Starts at 2026-01-01T00:00:00Z unless told otherwise. */
  constructor(private current = 1_767_225_600_000) {}
  now(): number {
    return this.current;
  }
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
  set(epochMilliseconds: number): void {
    this.current = epochMilliseconds;
  }
}
