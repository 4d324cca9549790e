import type { Clock } from './domain/clock.js';

/** The wall clock, for production; the domain only ever sees the Clock interface. */
export const systemClock: Clock = { now: () => Date.now() };
