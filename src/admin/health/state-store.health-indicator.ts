import type { QueueStateStore } from '../../coordinator/queue-state-store.port.js';
import type { HealthIndicator, HealthResult } from '../../ports/health-indicator.port.js';

/** Ready when the state store answers a snapshot read. */
export class StateStoreHealthIndicator implements HealthIndicator {
  readonly name = 'queue_state_store';

  constructor(
    private readonly store: QueueStateStore,
    private readonly kind: string,
  ) {}

  async check(): Promise<HealthResult> {
    const snapshot = await this.store.snapshot();
    return { status: 'up', store: this.kind, queue_depth: snapshot.pendingCount };
  }
}
