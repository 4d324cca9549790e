import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisQueueStateStore } from '../../src/coordinator/stores/redis/redis-queue-state.store.js';
import { loadConfig } from '../../src/config/load-config.js';
import { TransientError } from '../../src/ports/transient-error.js';
import { ExecutionQueue } from '../../src/embedding/execution-queue.facade.js';
import { clusterConnection, clusterNodes, freshTaggedPrefix, sentinelSettings } from '../builders/redis-harness.js';
import { eventually, startStandaloneApp, type StandaloneApp } from '../builders/standalone-app.js';

jest.setTimeout(120_000);

const LIMITS = loadConfig({}).queue;

describe('the Redis store on a Cluster', () => {
  it('refuses a key prefix without a hash tag, naming it and the fix', () => {
    const connection = clusterConnection();
    try {
      expect(() => new RedisQueueStateStore(LIMITS, { url: 'unused', keyPrefix: 'execution-queue:', connection })).toThrow(
        /Redis key prefix 'execution-queue:' has no hash tag.*for example '\{execution-queue\}:'/,
      );
    } finally {
      connection.disconnect();
    }
  });

  it('refuses to wait for replicas, which a Cluster cannot do for a queue', () => {
    const connection = clusterConnection();
    try {
      expect(() => new RedisQueueStateStore(LIMITS, { url: 'unused', keyPrefix: '{wait}:', connection, waitReplicas: 1 })).toThrow(/REDIS_WAIT_REPLICAS.*Cluster/);
    } finally {
      connection.disconnect();
    }
  });

  it('keeps every key of one queue in one slot, and spreads queues with different tags over the masters', async () => {
    const connection = clusterConnection();
    const stores = Array.from({ length: 6 }, (_, index) => new RedisQueueStateStore(LIMITS, { url: 'unused', keyPrefix: `{cluster-${index}-${randomUUID().slice(0, 6)}}:`, connection }));
    try {
      for (const [index, store] of stores.entries()) {
        for (const user of ['ann', 'bob']) {
          const id = `c-${index}-${user}`;
          const payload = { execution_id: id, user_id: user } as never;
          expect((await store.admit({ executionId: id, userId: user, priority: 'normal', payload }, Date.now())).kind).toBe('accepted');
        }
      }
      const mastersHoldingKeys = new Set<string>();
      for (const node of connection.nodes('master')) {
        const keys = (await node.keys('{cluster-*')) as string[];
        if (keys.length > 0) mastersHoldingKeys.add(`${node.options.host}:${node.options.port}`);
        const slots = new Set(await Promise.all(keys.map(async (key) => Number(await node.call('CLUSTER', 'KEYSLOT', key)))));
        const tags = new Set(keys.map((key) => /^\{[^}]+\}/.exec(key)![0]));
        // A master holds whole queues: as many slots as queues, never a queue split.
        expect(slots.size).toBe(tags.size);
      }
      expect(mastersHoldingKeys.size).toBeGreaterThan(1);
      expect(clusterNodes().length).toBe(3);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      connection.disconnect();
    }
  });
});

describe('a store that waits for a replica', () => {
  it('fails a change no replica confirmed as transient, so the event is retried', async () => {
    const store = new RedisQueueStateStore(LIMITS, { url: process.env.REDIS_URL!, keyPrefix: freshTaggedPrefix(), waitReplicas: 1 });
    try {
      const payload = { execution_id: 'w-1', user_id: 'ann' } as never;
      const started = Date.now();
      const failure = await store.admit({ executionId: 'w-1', userId: 'ann', priority: 'normal', payload }, Date.now()).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toMatch(/admit: 0 of 1 Redis replicas confirmed the change within 1000 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      // Reads wait for nobody.
      expect((await store.snapshot()).pendingCount).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('the service on a Redis master found through Sentinel', () => {
  let service: StandaloneApp | undefined;
  const { sentinels, name } = sentinelSettings();
  const sentinel = new Redis({ host: sentinels[0]!.host, port: sentinels[0]!.port });
  // A host's connection: it asks the Sentinels for the master, follows a switch, and reconnects
  // when the server it talks to has become a replica.
  const connection = new Redis({ sentinels, name, failoverDetector: true, maxRetriesPerRequest: 1, reconnectOnError: (error) => /^READONLY/.test(error.message) });

  afterAll(async () => {
    await service?.close();
    // Other suites write to this master next: wait until it has its replica back (without one it
    // refuses writes, see scripts/infra/redis-topologies.sh).
    await eventually(async () => /state=online/.test(await connection.info('replication')), 'the new master has its replica again', 30_000);
    connection.disconnect();
    sentinel.disconnect();
  });

  const masterAddress = async () => ((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[]).join(':');
  /**
   * Waits for the Sentinels to name another master. A Sentinel may drop a forced failover it
   * started before it knew the replica well enough; it is asked again then (an answer that one
   * is already in progress is fine).
   */
  const switched = async (before: string) => {
    const deadline = Date.now() + 40_000;
    while ((await masterAddress()) === before) {
      if (Date.now() > deadline) throw new Error(`the Sentinels did not switch away from ${before}`);
      await eventually(async () => (await masterAddress()) !== before, 'a switch', 10_000).catch(() => sentinel.call('SENTINEL', 'FAILOVER', name).catch(() => undefined));
    }
  };

  it('loses nothing and leaks no slot when the master fails over under load', async () => {
    // The replica must hold each change before the queue acts on it: without that, a change
    // the old master acknowledged a moment before the promotion vanished about one run in six
    // (an accepted execution the new master never heard of). After the switch the new master
    // refuses writes for many seconds, until the old one has resynchronised as its replica, so
    // some dispatches cannot be recorded as published; housekeeping publishes their commands
    // again after the (here shortened) grace period, under the same event id, and the runtime
    // ignores them since their pods exist.
    service = await startStandaloneApp(
      {
        stateStore: 'redis',
        redisKeyPrefix: freshTaggedPrefix(),
        redisWaitReplicas: 1,
        simulatedRunMs: 20,
        housekeepingSeconds: 1,
        queue: { ...LIMITS, maxActiveExecutions: 4, dispatchGraceSeconds: 2 },
      },
      { redisClient: connection },
    );
    const queue = service.app.get(ExecutionQueue);
    const ids: string[] = [];
    const submit = async (index: number) => {
      const id = await queue.submit({ execution_id: `sentinel-${index}-${randomUUID().slice(0, 8)}`, user_id: `user-${index % 7}`, script: 'print(1)', language: 'python', language_version: '3.11' });
      ids.push(id);
    };
    const TOTAL = 400;
    for (let index = 0; index < TOTAL / 2; index++) await submit(index);

    const before = await masterAddress();
    await sentinel.call('SENTINEL', 'FAILOVER', name);
    for (let index = TOTAL / 2; index < TOTAL; index++) await submit(index);
    await switched(before);

    const tap = service.tap;
    const completed = () => new Set(tap.ofType('execution_completed').map((event) => event.execution_id));
    await eventually(() => ids.every((id) => completed().has(id)), `all ${TOTAL} executions completed`, 90_000).catch((error: Error) => {
      const missing = ids.filter((id) => !completed().has(id));
      throw new Error(`${error.message}; ${missing.length} missing, e.g. ${missing.slice(0, 5).join(', ')}`);
    });
    // One dispatch decision each (a retried delivery may publish the same command again, with
    // the same event id, which the runtime ignores) and one run each.
    const decisions = new Map<string, Set<string>>();
    for (const command of tap.ofType('create_pod_command')) decisions.set(command.execution_id, (decisions.get(command.execution_id) ?? new Set()).add(command.event_id));
    expect(ids.filter((id) => decisions.get(id)?.size !== 1)).toEqual([]);
    const runs = new Map<string, number>();
    for (const created of tap.ofType('pod_created')) runs.set(created.execution_id, (runs.get(created.execution_id) ?? 0) + 1);
    expect(ids.filter((id) => runs.get(id) !== 1)).toEqual([]);
    expect(tap.ofType('execution_failed')).toEqual([]);
    expect(tap.deadLetters).toEqual([]);
    // No slot leaked: nothing active, nothing pending, no user still counted.
    await eventually(async () => (await queue.status()).active_count === 0, 'every slot free', 10_000);
    expect(await queue.status()).toMatchObject({ active_count: 0, queue_depth: 0 });
    const users = await queue.users();
    expect(users.items.filter((user) => user.pending + user.active !== 0)).toEqual([]);
  });
});
