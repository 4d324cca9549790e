import { Redis, type RedisOptions } from 'ioredis';
import { priorityRank, type Priority } from '../../../contracts/priority.constants.js';
import type { ActiveSummary, AdmissionOutcome, ReleaseOutcome, ReprioritizeOutcome, ScheduleResult } from '../../domain/coordinator-outcomes.js';
import type {
  AdmissionRequest,
  ExecutionLookup,
  Page,
  PendingFilter,
  PositionedExecution,
  QueueSnapshot,
  UserUsage,
  UserUsageRow,
} from '../../domain/coordinator-state.js';
import type { QueueLimits } from '../../domain/queue-limits.js';
import type { QueueStateStore, Scheduled, StoredRequest } from '../../queue-state-store.port.js';
import { CallBatcher } from './call-batcher.js';
import { decodeActivePageReply } from './lua/active-page.reply.js';
import { decodeAdmitReply } from './lua/admit.reply.js';
import { decodeLookupReply } from './lua/lookup.reply.js';
import { decodeOrderCheckReply, type QueueOrderConflict } from './lua/order-check.reply.js';
import { decodePendingPageReply } from './lua/pending-page.reply.js';
import { decodeReleaseReply } from './lua/release.reply.js';
import { decodeRenewLeaseReply } from './lua/renew-lease.reply.js';
import { decodeReprioritizeReply } from './lua/reprioritize.reply.js';
import { decodeScheduleReply } from './lua/schedule.reply.js';
import { decodeSnapshotReply } from './lua/snapshot.reply.js';
import { decodeUserUsageReply } from './lua/user-usage.reply.js';
import { decodeUserWeightsReply } from './lua/user-weights.reply.js';
import { decodeUsersPageReply } from './lua/users-page.reply.js';
import { classifyRedisError } from './redis-errors.js';
import { secondConnectionTo, type RedisConnection } from './redis-connection.js';
import { KEY_NAMES, limitsArgument } from './redis-layout.js';
import { RedisLibraryLoader } from './redis-library-loader.js';
import type { Reply } from './redis-reply.js';
import { buildLibrary, SCRIPT_NAMES, type ScriptName } from './redis-scripts.js';

export type { RedisConnection };

/** A hash tag: the part of a key between the first `{` and the next `}`, when not empty. */
const HASH_TAG = /\{[^}]+\}/;

export interface RedisStoreSettings {
  url: string;
  keyPrefix: string;
  /** Extra ioredis options (tests shorten timeouts). */
  client?: RedisOptions;
  /**
   * The host's own connection, used instead of opening one (url and client are then unused):
   * a single server, one found through Sentinel, or a Cluster (then keyPrefix must carry a hash
   * tag). The store opens a duplicate of it for admissions (see below) and closes only that.
   */
  connection?: RedisConnection;
  /** Replicas that must hold each change before a call returns (Redis WAIT); 0 or absent: none. */
  waitReplicas?: number;
  /**
   * The most admissions (or releases) one call carries (default MAX_CALLS_PER_BATCH). 1 turns
   * packing off: each is sent the moment it is made, several in flight at once on the
   * connection, as before packing existed; the store benchmark compares the two.
   */
  callsPerBatch?: number;
}

/**
 * The most admissions (or releases) one call carries: enough to pay a call's fixed cost once for
 * a whole burst, few enough that one call holds Redis only briefly (each admission is a few
 * dozen microseconds of script time).
 */
const MAX_CALLS_PER_BATCH = 32;

/** How long a change may take to reach the replicas before the call counts as failed. */
const REPLICA_WAIT_MS = 1000;

/** Calls that only read: they need no replica to confirm anything. */
const READ_ONLY_SCRIPTS: ReadonlySet<ScriptName> = new Set(['snapshot', 'lookup', 'pending-page', 'active-page', 'users-page', 'user-usage', 'user-weights', 'order-check']);

/**
 * The queue state in Redis, shared by every coordinator replica. Each state change is one Lua
 * script, so it is atomic across replicas: limits stay exact and an execution is handed out
 * once. Queue order is one sorted set scored by priority band and arrival number, so rank,
 * insert, remove and reprioritise are O(log n).
 */
export class RedisQueueStateStore implements QueueStateStore {
  private readonly redis: RedisConnection;
  /**
   * Admissions have a connection of their own: Redis runs calls one at a time in the order each
   * connection sends them, so on one shared connection a burst of requests would hold up the
   * releases and dispatches behind it, the calls that free slots and start work.
   */
  private readonly admissions: RedisConnection;
  /** KEY_NAMES under the prefix, declared by every call. */
  private readonly keys: string[];
  private readonly libraryLoader: RedisLibraryLoader;
  private readonly functionNames: Record<ScriptName, string>;
  /** The limits as the scripts read them (see redis-layout.ts): every field in one argument. */
  private readonly limitsArgument: string;
  /** Admissions and releases made while one of their kind is in flight travel together (see CallBatcher). */
  private readonly admissionBatches: CallBatcher<(string | number)[], Reply>;
  private readonly releaseBatches: CallBatcher<(string | number)[], Reply>;

  constructor(
    private readonly limits: QueueLimits,
    private readonly settings: RedisStoreSettings,
  ) {
    if (settings.connection?.isCluster && !HASH_TAG.test(settings.keyPrefix)) {
      throw new Error(
        `Redis key prefix '${settings.keyPrefix}' has no hash tag: on a Redis Cluster every key of the queue must be in one slot, ` +
          `so the prefix needs one, for example '{${settings.keyPrefix.replace(/:$/, '')}}:'`,
      );
    }
    if (settings.connection?.isCluster && (settings.waitReplicas ?? 0) > 0) {
      throw new Error('Waiting for Redis replicas (REDIS_WAIT_REPLICAS) needs a single server or Sentinel; a Cluster routes WAIT to no particular master');
    }
    this.keys = KEY_NAMES.map((name) => settings.keyPrefix + name);
    this.admissionBatches = this.batchesOf('admit');
    this.releaseBatches = this.batchesOf('release');
    const connect = () => {
      const client = new Redis(settings.url, {
        // Fail calls quickly while Redis is away so the event goes back to Kafka instead of
        // piling up here; the client keeps reconnecting in the background.
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        ...settings.client,
      });
      // Connection errors surface on the calls that need Redis; the client logs nothing itself.
      client.on('error', () => undefined);
      return client;
    };
    this.redis = settings.connection ?? connect();
    this.admissions = settings.connection ? secondConnectionTo(settings.connection) : connect();
    if (settings.connection) this.admissions.on('error', () => undefined);
    const library = buildLibrary();
    this.libraryLoader = new RedisLibraryLoader(this.redis, library);
    this.functionNames = Object.fromEntries(SCRIPT_NAMES.map((name) => [name, library.functionName(name)])) as Record<ScriptName, string>;
    this.limitsArgument = limitsArgument(limits);
  }

  async admit(request: AdmissionRequest<StoredRequest>, now: number, sagaIds: readonly string[] = []): Promise<Scheduled<AdmissionOutcome<StoredRequest>>> {
    const reply = (await this.admissionBatches.call([request.executionId, request.userId, priorityRank(request.priority), now, JSON.stringify(request.payload), ...sagaIds])) as Reply[];
    return decodeAdmitReply(reply, this.limits, sagaIds.length > 0);
  }

  async schedule(now: number, sagaIds: readonly string[]): Promise<ScheduleResult<StoredRequest>> {
    if (sagaIds.length === 0) return { steps: [], idle: null };
    return decodeScheduleReply((await this.run('schedule', this.limitsArgument, now, ...sagaIds)) as Reply[]);
  }

  async confirmDispatched(executionIds: readonly string[]): Promise<void> {
    if (executionIds.length === 0) return;
    await this.run('confirm-dispatched', this.limitsArgument, ...executionIds);
  }

  async renewLease(executionId: string, now: number): Promise<boolean> {
    return decodeRenewLeaseReply(await this.run('renew-lease', executionId, now + this.limits.leaseSeconds * 1000));
  }

  async release(executionId: string, now = 0, sagaIds: readonly string[] = []): Promise<Scheduled<ReleaseOutcome>> {
    const reply = (await this.releaseBatches.call([executionId, now, ...sagaIds])) as Reply[];
    return decodeReleaseReply(reply, sagaIds.length > 0);
  }

  async reprioritize(executionId: string, priority: Priority, now?: number): Promise<ReprioritizeOutcome> {
    return decodeReprioritizeReply((await this.run('reprioritize', this.limitsArgument, executionId, priorityRank(priority), now ?? '')) as Reply[], priority);
  }

  async setUserWeight(userId: string, weight: number): Promise<void> {
    await this.run('set-weight', userId, weight);
  }

  async userWeights(userIds: readonly string[]): Promise<number[]> {
    return decodeUserWeightsReply((await this.run('user-weights', ...userIds)) as Reply[], this.limits.defaultUserWeight ?? 1);
  }

  /**
   * Before serving: checks that executions already pending were queued under this replica's
   * order (their keys mean arrival under fifo, start tags under fair) and records the order.
   * Answers the conflict when they were not (switching needs an empty queue), else undefined.
   */
  async checkQueueOrder(): Promise<QueueOrderConflict | undefined> {
    return decodeOrderCheckReply((await this.run('order-check', this.limits.queueOrder ?? 'fifo')) as Reply[]);
  }

  async setHeld(held: boolean): Promise<void> {
    await this.run('set-held', held ? '1' : '0');
  }

  async snapshot(): Promise<QueueSnapshot> {
    return decodeSnapshotReply((await this.run('snapshot', this.limitsArgument)) as Reply[]);
  }

  async lookup(executionId: string): Promise<ExecutionLookup<StoredRequest> | undefined> {
    return decodeLookupReply((await this.run('lookup', executionId)) as Reply[]);
  }

  async userUsage(userId: string): Promise<UserUsage> {
    return decodeUserUsageReply((await this.run('user-usage', userId)) as Reply[]);
  }

  async pendingPage(filter: PendingFilter, offset: number, limit: number): Promise<Page<PositionedExecution>> {
    const rank = filter.priority === undefined ? '' : priorityRank(filter.priority);
    return decodePendingPageReply((await this.run('pending-page', rank, filter.userId ?? '', offset, limit)) as Reply[]);
  }

  async activePage(offset: number, limit: number): Promise<Page<ActiveSummary>> {
    return decodeActivePageReply((await this.run('active-page', offset, limit)) as Reply[]);
  }

  async usersPage(offset: number, limit: number): Promise<Page<UserUsageRow>> {
    return decodeUsersPageReply((await this.run('users-page', offset, limit)) as Reply[]);
  }

  /** Closes the connections the store opened; a connection given by the host stays open. */
  async close(): Promise<void> {
    if (!this.settings.connection) this.redis.disconnect();
    this.admissions.disconnect();
  }

  /** Nest calls this at shutdown for the provider created from this class. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * Batches of calls to one of the functions that take several (admit, release): each call's
   * arguments go with their count in front, after the limits they share.
   */
  private batchesOf(name: 'admit' | 'release'): CallBatcher<(string | number)[], Reply> {
    // At least one per call: a batch of none would never send anything.
    const callsPerBatch = Math.max(1, Math.floor(this.settings.callsPerBatch ?? MAX_CALLS_PER_BATCH));
    return new CallBatcher(async (calls) => {
      const packed: (string | number)[] = [];
      for (const args of calls) packed.push(args.length, ...args);
      return (await this.run(name, this.limitsArgument, ...packed)) as Reply[];
    }, callsPerBatch, callsPerBatch === 1 ? Number.POSITIVE_INFINITY : 1);
  }

  /** Calls one function of the library, loading the library first if this Redis lacks it (new or flushed server). */
  private async run(name: ScriptName, ...args: (string | number)[]): Promise<Reply> {
    // The fixed keys are declared; the prefix names the per-user ones (see lua/library/keys-and-meta.lua).
    const client = name === 'admit' ? this.admissions : this.redis;
    const replicas = READ_ONLY_SCRIPTS.has(name) ? 0 : (this.settings.waitReplicas ?? 0);
    const call = async () => {
      const reply = client.fcall(this.functionNames[name], KEY_NAMES.length, ...this.keys, this.settings.keyPrefix, ...args) as Promise<Reply>;
      if (replicas === 0) return reply;
      // Sent right behind the call on the same connection, so it covers the call's writes
      // without a round trip of its own.
      const confirmed = (client as Redis).call('WAIT', replicas, REPLICA_WAIT_MS) as Promise<number>;
      confirmed.catch(() => undefined);
      const result = await reply;
      const held = await confirmed;
      // The change is made but may not survive a failover: the event is retried, which every
      // call tolerates (a repeated admit is a duplicate, a lost dispatch is handed out again);
      // classifyRedisError below makes it transient.
      if (held < replicas) throw new Error(`${held} of ${replicas} Redis replicas confirmed the change within ${REPLICA_WAIT_MS} ms`);
      return result;
    };
    try {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof Error) || !/Function not found/i.test(error.message)) throw error;
        await this.libraryLoader.load();
        return await call();
      }
    } catch (error) {
      throw classifyRedisError(error, name);
    }
  }
}
