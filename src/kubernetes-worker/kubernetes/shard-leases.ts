import { Logger } from '@nestjs/common';
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { apiErrorCode, apiErrorMessage } from './api-errors.js';

export interface ShardLeaseSettings {
  namespace: string;
  /** How many shards the executor pods are spread over. */
  shards: number;
  /** A holder that has not renewed for this long has lost its leases. */
  leaseSeconds: number;
  /** This worker's name in the leases (unique per process). */
  identity: string;
  /** Prefix of the lease names, and their group label: workers of one group share the shards. */
  group: string;
}

const COMPONENT_LABEL = 'app.kubernetes.io/component';
const SHARD_COMPONENT = 'execution-queue-worker-shard';
const MEMBER_COMPONENT = 'execution-queue-worker-member';
/** Bumped on every renewal, so observers see the lease change. */
const RENEWED_ANNOTATION = 'execution-queue/renewed';
const GROUP_LABEL = 'execution-queue/lease-group';

/** What this worker last saw of a lease, and when (by its own clock). */
interface Observation {
  resourceVersion: string;
  holder: string;
  seenAt: number;
}

/**
 * Splits the executor pods between worker replicas with `coordination.k8s.io` Leases: one Lease
 * per shard, held by the worker that watches that shard's pods, plus one "member" Lease per
 * live worker so that holders can see how many workers share the shards.
 *
 * Expiry is judged the way Kubernetes' own leader election does: by when this worker last saw
 * a lease change (its resource version), on its own clock, never by comparing clocks across
 * machines. A lease unchanged for `leaseSeconds` is free to take. Every write carries the
 * resource version it read, so two workers can never both take one shard. A worker holds at
 * most its fair share (shards / live workers, rounded up) and hands back the rest; one that
 * cannot renew in time gives up all its shards before anyone else may take them.
 */
export class ShardLeases {
  private readonly logger = new Logger(ShardLeases.name);
  private readonly api: CoordinationV1Api;
  private readonly observed = new Map<string, Observation>();
  private owned = new Set<number>();
  private lastRenewed = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly settings: ShardLeaseSettings,
    private readonly onOwnedChange: (shards: number[]) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** Shards this worker watches now. */
  get shards(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  start(): void {
    const tick = async () => {
      this.running = this.round().catch((error: Error) => this.logger.warn(`Shard lease round failed: ${error.message}`));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.renewIntervalMs);
    };
    void tick();
  }

  /** Stops renewing and hands back every lease, so another worker takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const held = this.shards;
    await this.setOwned(new Set());
    await Promise.all([...held.map((shard) => this.release(this.shardLeaseName(shard))), this.release(this.memberName)]);
  }

  private get renewIntervalMs(): number {
    return Math.max(500, (this.settings.leaseSeconds * 1000) / 3);
  }

  private get memberName(): string {
    return `${this.settings.group}-worker-member-${this.settings.identity}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 253);
  }

  private shardLeaseName(shard: number): string {
    return `${this.settings.group}-worker-shard-${shard}`;
  }

  /** One pass: renew or take what this worker may hold, hand back what it must not. */
  private async round(): Promise<void> {
    if (this.owned.size > 0 && this.now() - this.lastRenewed > this.settings.leaseSeconds * 1000 * 0.8) {
      // Renewals have failed for most of a lease period: stop watching before others may take over.
      this.logger.warn('Could not renew shard leases in time; giving up every shard');
      await this.setOwned(new Set());
    }
    await this.renewOrTake(this.memberName, MEMBER_COMPONENT, true);
    const leases = (await this.api.listNamespacedLease({ namespace: this.settings.namespace, labelSelector: `${GROUP_LABEL}=${this.settings.group}` })).items;
    // Forget leases that are gone (handed back, or a dead member removed), then note what changed.
    const listed = new Set(leases.map((lease) => lease.metadata!.name!));
    for (const name of this.observed.keys()) if (!listed.has(name)) this.observed.delete(name);
    for (const lease of leases) this.observe(lease);
    const members = leases.filter((lease) => lease.metadata?.labels?.[COMPONENT_LABEL] === MEMBER_COMPONENT);
    const liveMembers = members.filter((lease) => this.isLive(lease)).length;
    // A member lease nobody renews any more is a worker that died: remove it (only if unchanged).
    await Promise.all(members.filter((lease) => !this.isLive(lease)).map((lease) => this.remove(lease.metadata!.name!)));
    const fairShare = Math.ceil(this.settings.shards / Math.max(1, liveMembers));
    const byName = new Map(leases.map((lease) => [lease.metadata!.name!, lease]));

    const next = new Set<number>();
    let failed = false;
    for (let shard = 0; shard < this.settings.shards; shard++) {
      const name = this.shardLeaseName(shard);
      const lease = byName.get(name);
      const mine = lease?.spec?.holderIdentity === this.settings.identity;
      if (!mine && (next.size >= fairShare || (lease && this.isLive(lease)))) continue;
      if (mine && next.size >= fairShare) continue; // handed back below
      try {
        if (await this.renewOrTake(name, SHARD_COMPONENT, mine, lease)) next.add(shard);
      } catch (error) {
        // Only a failed renewal counts against the deadline; failing to take a free shard does not.
        if (mine) {
          failed = true;
          next.add(shard);
        }
        this.logger.warn(`Shard ${shard}: ${apiErrorMessage(error)}`);
      }
    }
    if (!failed) this.lastRenewed = this.now();
    const handedBack = this.shards.filter((shard) => !next.has(shard));
    await this.setOwned(next);
    await Promise.all(handedBack.map((shard) => this.release(this.shardLeaseName(shard))));
  }

  /** Writes the lease as held by this worker; false if another worker got there first. */
  private async renewOrTake(name: string, component: string, mine: boolean, known?: V1Lease): Promise<boolean> {
    const namespace = this.settings.namespace;
    const body = (resourceVersion?: string): V1Lease => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace,
        resourceVersion,
        labels: { [COMPONENT_LABEL]: component, [GROUP_LABEL]: this.settings.group },
        annotations: { [RENEWED_ANNOTATION]: String(this.now()) },
      },
      spec: { holderIdentity: this.settings.identity, leaseDurationSeconds: this.settings.leaseSeconds },
    });
    try {
      const current = known ?? (await this.readLease(name));
      const written = current
        ? await this.api.replaceNamespacedLease({ name, namespace, body: body(current.metadata!.resourceVersion) })
        : await this.api.createNamespacedLease({ namespace, body: body() });
      this.observe(written);
      if (!mine && current) this.logger.log(`Took over ${name} from ${current.spec?.holderIdentity ?? 'nobody'}`);
      return true;
    } catch (error) {
      if (apiErrorCode(error) === 409) return false;
      throw error;
    }
  }

  private async readLease(name: string): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name, namespace: this.settings.namespace });
    } catch (error) {
      if (apiErrorCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** Deletes a lease this worker holds (handing it back). */
  private async release(name: string): Promise<void> {
    const observation = this.observed.get(name);
    if (observation?.holder === this.settings.identity) await this.remove(name);
  }

  /** Deletes a lease if it is still as this worker last saw it. */
  private async remove(name: string): Promise<void> {
    const observation = this.observed.get(name);
    if (!observation) return;
    try {
      await this.api.deleteNamespacedLease({ name, namespace: this.settings.namespace, body: { preconditions: { resourceVersion: observation.resourceVersion } } });
    } catch (error) {
      if (apiErrorCode(error) !== 404 && apiErrorCode(error) !== 409) this.logger.warn(`Could not delete lease ${name}: ${apiErrorMessage(error)}`);
    }
  }

  private observe(lease: V1Lease): void {
    const name = lease.metadata!.name!;
    const resourceVersion = lease.metadata!.resourceVersion!;
    const before = this.observed.get(name);
    if (before?.resourceVersion === resourceVersion) return;
    this.observed.set(name, { resourceVersion, holder: lease.spec?.holderIdentity ?? '', seenAt: this.now() });
  }

  /** Held, and changed within its duration as this worker has watched it. */
  private isLive(lease: V1Lease): boolean {
    if (!lease.spec?.holderIdentity) return false;
    if (lease.spec.holderIdentity === this.settings.identity) return true;
    const observation = this.observed.get(lease.metadata!.name!);
    const duration = (lease.spec.leaseDurationSeconds ?? this.settings.leaseSeconds) * 1000;
    return !observation || this.now() - observation.seenAt < duration;
  }

  private async setOwned(next: Set<number>): Promise<void> {
    const changed = next.size !== this.owned.size || [...next].some((shard) => !this.owned.has(shard));
    this.owned = next;
    if (changed) {
      this.logger.log(`Watching shards [${this.shards.join(', ')}] of ${this.settings.shards}`);
      await this.onOwnedChange(this.shards);
    }
  }
}
