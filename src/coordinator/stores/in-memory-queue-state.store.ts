import type { Priority } from '../../contracts/priority.constants.js';
import { CoordinatorState, type AdmissionRequest, type PendingFilter } from '../domain/coordinator-state.js';
import type { QueueLimits } from '../domain/queue-limits.js';
import type { AdmissionOutcome, ReleaseOutcome } from '../domain/coordinator-outcomes.js';
import type { QueueStateStore, Scheduled, StoredRequest } from '../queue-state-store.port.js';

/**
 * Keeps the state in this process. Every call is synchronous underneath, so each one is atomic
 * with respect to the others. State is lost when the process exits.
 */
export class InMemoryQueueStateStore implements QueueStateStore {
  private readonly state: CoordinatorState<StoredRequest>;

  constructor(limits: QueueLimits) {
    this.state = new CoordinatorState<StoredRequest>(limits);
  }

  async admit(request: AdmissionRequest<StoredRequest>, now: number, sagaIds: readonly string[] = []): Promise<Scheduled<AdmissionOutcome<StoredRequest>>> {
    const othersWaiting = this.state.pendingCount > 0;
    const outcome = this.state.admit(request, now);
    if (outcome.kind !== 'accepted' || sagaIds.length === 0) return outcome;
    return { ...outcome, scheduled: othersWaiting ? { steps: [], idle: 'waiting' } : this.state.schedule(now, sagaIds) };
  }

  async schedule(now: number, sagaIds: readonly string[]) {
    return this.state.schedule(now, sagaIds);
  }

  async confirmDispatched(executionIds: readonly string[]) {
    this.state.confirmDispatched(executionIds);
  }

  async renewLease(executionId: string, now: number) {
    return this.state.renewLease(executionId, now);
  }

  async release(executionId: string, now?: number, sagaIds: readonly string[] = []): Promise<Scheduled<ReleaseOutcome>> {
    const outcome = this.state.release(executionId);
    return now !== undefined && sagaIds.length > 0 ? { ...outcome, scheduled: this.state.schedule(now, sagaIds) } : outcome;
  }

  async reprioritize(executionId: string, priority: Priority, now?: number) {
    return this.state.reprioritize(executionId, priority, now);
  }

  async setUserWeight(userId: string, weight: number) {
    this.state.setUserWeight(userId, weight);
  }

  async userWeights(userIds: readonly string[]) {
    return userIds.map((userId) => this.state.userWeight(userId));
  }

  async setHeld(held: boolean) {
    this.state.setHeld(held);
  }

  async snapshot() {
    return this.state.snapshot();
  }

  async lookup(executionId: string) {
    return this.state.lookup(executionId);
  }

  async userUsage(userId: string) {
    return this.state.userUsage(userId);
  }

  async pendingPage(filter: PendingFilter, offset: number, limit: number) {
    return this.state.pendingPage(filter, offset, limit);
  }

  async activePage(offset: number, limit: number) {
    return this.state.activePage(offset, limit);
  }

  async usersPage(offset: number, limit: number) {
    return this.state.usersPage(offset, limit);
  }

  async close() {}
}
