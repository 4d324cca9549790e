import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { PRIORITIES, priorityRank, type Priority } from '../../../contracts/priority.constants.js';
import type {
  ActiveExecution,
  ActiveSummary,
  AdmissionOutcome,
  AdmissionRefusal,
  DuplicateOutcome,
  DispatchOutcome,
  ExecutionSummary,
  QueuedExecution,
  ReleaseOutcome,
  ReprioritizeOutcome,
} from '../../domain/coordinator-outcomes.js';
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
import type { QueueStateStore, StoredRequest } from '../../queue-state-store.port.js';
import { classifyRedisError } from './redis-errors.js';
import { KEY_NAMES, loadScripts, type ScriptName } from './redis-scripts.js';

/** An execution's record as the scripts keep it (see lua/common.lua). */
interface StoredMeta {
  i: string;
  u: string;
  p: number;
  e: number;
  q: number;
  s: 'p' | 'a';
  d?: number;
  g?: string;
}

type Reply = string | number | null | Reply[];

export interface RedisStoreSettings {
  url: string;
  keyPrefix: string;
  /** Extra ioredis options (tests shorten timeouts). */
  client?: RedisOptions;
}

/**
 * The queue state in Redis, shared by every coordinator replica. Each state change is one Lua
 * script, so it is atomic across replicas: limits stay exact and an execution is handed out
 * once. Queue order is one sorted set scored by priority band and arrival number, so rank,
 * insert, remove and reprioritise are O(log n).
 */
export class RedisQueueStateStore implements QueueStateStore {
  private readonly redis: Redis;
  private readonly keys: string[];
  private readonly scripts: Record<ScriptName, { source: string; sha: string }>;

  constructor(
    private readonly limits: QueueLimits,
    private readonly settings: RedisStoreSettings,
  ) {
    this.redis = new Redis(settings.url, {
      // Fail calls quickly while Redis is away so the event goes back to Kafka instead of
      // piling up here; the client keeps reconnecting in the background.
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
      ...settings.client,
    });
    // Connection errors surface on the calls that need Redis; the client logs nothing itself.
    this.redis.on('error', () => undefined);
    this.keys = KEY_NAMES.map((name) => `${settings.keyPrefix}${name}`);
    this.scripts = Object.fromEntries(
      Object.entries(loadScripts()).map(([name, source]) => [name, { source, sha: createHash('sha1').update(source).digest('hex') }]),
    ) as Record<ScriptName, { source: string; sha: string }>;
  }

  async admit(request: AdmissionRequest<StoredRequest>, now: number): Promise<AdmissionOutcome<StoredRequest>> {
    const { maxQueueSize, maxExecutionsPerUser, staleTimeoutSeconds, recentIdsCapacity } = this.limits;
    const reply = (await this.run('admit', request.executionId, request.userId, priorityRank(request.priority), now, JSON.stringify(request.payload),
      maxQueueSize, maxExecutionsPerUser, staleTimeoutSeconds * 1000, recentIdsCapacity)) as Reply[];
    switch (reply[0]) {
      case 'duplicate':
        return duplicateOf(reply);
      case 'user_limit':
        return { kind: 'user_limit', limit: maxExecutionsPerUser, current: Number(reply[1]) };
      case 'queue_full':
        return { kind: 'queue_full', maxQueueSize, expired: this.queuedPairs(reply.slice(1)) };
      default:
        return { kind: 'accepted', position: Number(reply[1]), expired: this.queuedPairs(reply.slice(2)) };
    }
  }

  async dispatchNext(now: number, sagaId: string): Promise<DispatchOutcome<StoredRequest>> {
    const { maxActiveExecutions, staleTimeoutSeconds, leaseSeconds, dispatchGraceSeconds, recentIdsCapacity } = this.limits;
    const [kind, first, payload] = (await this.run('dispatch-next', now, sagaId, maxActiveExecutions, staleTimeoutSeconds * 1000,
      leaseSeconds * 1000, dispatchGraceSeconds * 1000, recentIdsCapacity)) as string[];
    switch (kind) {
      case 'idle':
        return { kind: 'idle', reason: first as 'held' | 'at_capacity' | 'empty' };
      case 'expired':
        return { kind: 'expired', execution: this.queued(first!, payload!) };
      default:
        return { kind: kind as 'dispatched' | 'redispatch' | 'lease_expired', execution: this.active(first!, payload!) };
    }
  }

  async confirmDispatched(executionIds: readonly string[]): Promise<void> {
    if (executionIds.length > 0) await this.run('confirm-dispatched', ...executionIds);
  }

  async renewLease(executionId: string, now: number): Promise<boolean> {
    return (await this.run('renew-lease', executionId, now + this.limits.leaseSeconds * 1000)) === 1;
  }

  async release(executionId: string): Promise<ReleaseOutcome<StoredRequest>> {
    const [kind, meta, payload] = (await this.run('release', executionId, this.limits.recentIdsCapacity)) as string[];
    if (kind === 'was_active') return { kind, execution: this.active(meta!, payload!) };
    if (kind === 'was_pending') return { kind, execution: this.queued(meta!, payload!) };
    return { kind: 'unknown' };
  }

  async reprioritize(executionId: string, priority: Priority): Promise<ReprioritizeOutcome> {
    const [kind, position] = (await this.run('reprioritize', executionId, priorityRank(priority))) as [string, number];
    if (kind === 'moved') return { kind, position, priority };
    return kind === 'not_pending' ? { kind, state: 'active' } : { kind: 'unknown' };
  }

  async setHeld(held: boolean): Promise<void> {
    await this.run('set-held', held ? '1' : '0');
  }

  async snapshot(): Promise<QueueSnapshot> {
    const reply = (await this.run('snapshot')) as Reply[];
    const oldest = reply[8] ? (JSON.parse(reply[8] as string) as StoredMeta) : null;
    return {
      pendingCount: Number(reply[0]),
      activeCount: Number(reply[1]),
      held: reply[2] === 1,
      byPriority: Object.fromEntries(PRIORITIES.map((priority, rank) => [priority, Number(reply[3 + rank])])) as QueueSnapshot['byPriority'],
      oldestEnqueuedAt: oldest ? oldest.e : null,
    };
  }

  async lookup(executionId: string): Promise<ExecutionLookup<StoredRequest> | undefined> {
    const reply = (await this.run('lookup', executionId)) as [string, string, number] | [];
    if (reply.length === 0) return undefined;
    const [meta, payload, position] = reply;
    if (position < 0) return { state: 'active', execution: this.active(meta, payload) };
    return { state: 'pending', execution: this.queued(meta, payload), position };
  }

  async userUsage(userId: string): Promise<UserUsage> {
    const [pending, active] = (await this.run('user-usage', userId)) as [number, number];
    return { pending, active };
  }

  async pendingPage(filter: PendingFilter, offset: number, limit: number): Promise<Page<PositionedExecution>> {
    const rank = filter.priority === undefined ? '' : priorityRank(filter.priority);
    const [total, ...rest] = (await this.run('pending-page', rank, filter.userId ?? '', offset, limit)) as Reply[];
    const items: PositionedExecution[] = [];
    for (let i = 0; i < rest.length; i += 2) items.push({ ...summaryOf(parseMeta(rest[i] as string)), position: Number(rest[i + 1]) });
    return { items, total: Number(total) };
  }

  async activePage(offset: number, limit: number): Promise<Page<ActiveSummary>> {
    const [total, ...metas] = (await this.run('active-page', offset, limit)) as Reply[];
    return { items: metas.map((meta) => activeSummaryOf(parseMeta(meta as string))), total: Number(total) };
  }

  async usersPage(offset: number, limit: number): Promise<Page<UserUsageRow>> {
    const [total, ...rest] = (await this.run('users-page', offset, limit)) as Reply[];
    const items: UserUsageRow[] = [];
    for (let i = 0; i < rest.length; i += 3) items.push({ userId: String(rest[i]), pending: Number(rest[i + 1]), active: Number(rest[i + 2]) });
    return { items, total: Number(total) };
  }

  async ping(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (error) {
      throw classifyRedisError(error, 'ping');
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** Nest calls this at shutdown for the provider created from this class. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Runs a script by its SHA, loading it on the first NOSCRIPT (a fresh or restarted Redis). */
  private async run(name: ScriptName, ...args: (string | number)[]): Promise<Reply> {
    const script = this.scripts[name];
    const argv = [this.settings.keyPrefix, ...args];
    try {
      try {
        return (await this.redis.evalsha(script.sha, this.keys.length, ...this.keys, ...argv)) as Reply;
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return (await this.redis.eval(script.source, this.keys.length, ...this.keys, ...argv)) as Reply;
      }
    } catch (error) {
      throw classifyRedisError(error, name);
    }
  }

  private queued(metaJson: string, payloadJson: string): QueuedExecution<StoredRequest> {
    const payload = JSON.parse(payloadJson) as StoredRequest;
    return { ...summaryOf(parseMeta(metaJson)), payload };
  }

  private active(metaJson: string, payloadJson: string): ActiveExecution<StoredRequest> {
    const meta = parseMeta(metaJson);
    const payload = JSON.parse(payloadJson) as StoredRequest;
    return { ...summaryOf(meta), payload, dispatchedAt: meta.d!, sagaId: meta.g! };
  }

  private queuedPairs(flat: Reply[]): QueuedExecution<StoredRequest>[] {
    const executions: QueuedExecution<StoredRequest>[] = [];
    for (let i = 0; i < flat.length; i += 2) executions.push(this.queued(flat[i] as string, flat[i + 1] as string));
    return executions;
  }
}

function duplicateOf([, state, detail, rank]: Reply[]): DuplicateOutcome {
  if (state === 'pending') return { kind: 'duplicate', state, position: Number(detail), priority: PRIORITIES[Number(rank)]! };
  if (state === 'refused') return { kind: 'duplicate', state, refusal: detail as AdmissionRefusal };
  return { kind: 'duplicate', state: state as 'active' | 'finished' };
}

function parseMeta(json: string): StoredMeta {
  return JSON.parse(json) as StoredMeta;
}

function summaryOf(meta: StoredMeta): ExecutionSummary {
  return { executionId: meta.i, userId: meta.u, priority: PRIORITIES[meta.p]!, enqueuedAt: meta.e };
}

function activeSummaryOf(meta: StoredMeta): ActiveSummary {
  return { ...summaryOf(meta), dispatchedAt: meta.d!, sagaId: meta.g! };
}
