import type { HealthIndicator, HealthResult } from '../ports/health-indicator.port.js';
import type { TransportRetrySource } from '../ports/transport-retries.port.js';

/** A consumer that has retried one message for this long makes the process not ready. */
const FAILING_TOO_LONG_MS = 30_000;

/**
 * The in-process bus is always there; what can go wrong is a consumer stuck retrying a message
 * (the state store away). Ready while nothing retries or retrying is recent.
 */
export class InMemoryBusHealthIndicator implements HealthIndicator {
  readonly name = 'transport';

  constructor(
    private readonly bus: TransportRetrySource,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<HealthResult> {
    const stats = this.bus.retryStats();
    const details = { transport: 'memory', retrying: stats.retrying, retries_total: stats.retriesTotal };
    if (stats.failingSince !== undefined && this.now() - stats.failingSince >= FAILING_TOO_LONG_MS) {
      const seconds = Math.round((this.now() - stats.failingSince) / 1000);
      return { status: 'down', ...details, message: `a consumer has retried one message for ${seconds}s: ${stats.lastError ?? 'unknown error'}` };
    }
    return { status: 'up', ...details, ...(stats.lastError && stats.retrying > 0 ? { last_error: stats.lastError } : {}) };
  }
}
