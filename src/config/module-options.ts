import type { Cluster, Redis } from 'ioredis';
import type { Kafka as KafkaClient } from 'kafkajs';
import type { Registry } from 'prom-client';
import { ConfigError } from './config.errors.js';
import type { ExecutionQueueOptions } from './execution-queue.options.js';
import { loadConfig } from './load-config.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object | null ? DeepPartial<T[K]> | null : T[K] };

/** Settings that belong to a process (the standalone service), not to a module inside a host. */
type ProcessLevel = 'port' | 'logLevel' | 'logFormat' | 'serviceName' | 'serviceVersion';

/**
 * What a host passes to `ExecutionQueueModule.forRoot` / `forRootAsync`: every field optional,
 * each with the default of its environment variable (see ExecutionQueueOptions), validated by
 * the same rules. An empty string means the default, as for the environment.
 */
export type ExecutionQueueModuleOptions = DeepPartial<Omit<ExecutionQueueOptions, ProcessLevel>> & GivenClients;

/**
 * Objects a host already has, used instead of the module's own. The module never closes the
 * connections (it closes only what it opens from them: a duplicate Redis connection for
 * admissions, its Kafka producer, consumers and admin).
 */
export interface GivenClients {
  /**
   * An ioredis client: one server, one found through Sentinel, or a Cluster (whose
   * redisKeyPrefix must then carry a hash tag, like '{execution-queue}:'). Implies
   * `stateStore: 'redis'` unless that is set.
   */
  redisClient?: Redis | Cluster;
  /** A kafkajs `Kafka` instance; implies `transport: 'kafka'` unless set. */
  kafkaClient?: KafkaClient;
  /** A prom-client Registry (the host's default `register`, say): the queue's metrics are added to it too. */
  metricsRegistry?: Registry;
}

/**
 * Each option's path and the environment variable it stands for. The standalone service's
 * process-level settings are listed too, so the service (one host among others) can pass its
 * whole configuration through the module; a host never needs them.
 */
const ENV_NAME_OF: Record<string, string> = {
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
  logFormat: 'LOG_FORMAT',
  'queue.maxQueueSize': 'QUEUE_MAX_SIZE',
  'queue.maxExecutionsPerUser': 'QUEUE_MAX_PER_USER',
  'queue.staleTimeoutSeconds': 'QUEUE_STALE_TIMEOUT_SECONDS',
  'queue.maxActiveExecutions': 'QUEUE_MAX_ACTIVE',
  'queue.recentIdsCapacity': 'QUEUE_RECENT_IDS',
  'queue.leaseSeconds': 'QUEUE_LEASE_SECONDS',
  'queue.dispatchGraceSeconds': 'QUEUE_DISPATCH_GRACE_SECONDS',
  'queue.queueOrder': 'QUEUE_ORDER',
  'queue.agingSeconds': 'QUEUE_AGING_SECONDS',
  'queue.defaultUserWeight': 'QUEUE_DEFAULT_USER_WEIGHT',
  housekeepingSeconds: 'QUEUE_HOUSEKEEPING_SECONDS',
  submitTimeoutSeconds: 'SUBMIT_TIMEOUT_SECONDS',
  'stream.statusSeconds': 'STREAM_STATUS_SECONDS',
  'stream.maxBufferedKb': 'STREAM_MAX_BUFFERED_KB',
  transport: 'TRANSPORT',
  'kafka.brokers': 'KAFKA_BROKERS',
  'kafka.clientId': 'KAFKA_CLIENT_ID',
  'kafka.topicPrefix': 'KAFKA_TOPIC_PREFIX',
  'kafka.topicPartitions': 'KAFKA_TOPIC_PARTITIONS',
  'kafka.topicReplicationFactor': 'KAFKA_TOPIC_REPLICATION_FACTOR',
  'kafka.ssl': 'KAFKA_SSL',
  'kafka.sasl.mechanism': 'KAFKA_SASL_MECHANISM',
  'kafka.sasl.username': 'KAFKA_SASL_USERNAME',
  'kafka.sasl.password': 'KAFKA_SASL_PASSWORD',
  stateStore: 'STATE_STORE',
  redisUrl: 'REDIS_URL',
  redisKeyPrefix: 'REDIS_KEY_PREFIX',
  redisWaitReplicas: 'REDIS_WAIT_REPLICAS',
  podRuntime: 'POD_RUNTIME',
  simulatedRunMs: 'SIMULATED_RUN_MS',
  runtimeImages: 'RUNTIME_IMAGES',
  k8sNamespace: 'K8S_NAMESPACE',
  'kubernetes.maxConcurrentCreates': 'K8S_MAX_CONCURRENT_CREATES',
  'kubernetes.finishedPodTtlSeconds': 'K8S_FINISHED_POD_TTL_SECONDS',
  'kubernetes.defaults.cpuLimit': 'K8S_DEFAULT_CPU_LIMIT',
  'kubernetes.defaults.memoryLimit': 'K8S_DEFAULT_MEMORY_LIMIT',
  'kubernetes.defaults.cpuRequest': 'K8S_DEFAULT_CPU_REQUEST',
  'kubernetes.defaults.memoryRequest': 'K8S_DEFAULT_MEMORY_REQUEST',
  'kubernetes.outputVolumeSize': 'K8S_OUTPUT_VOLUME_SIZE',
  'kubernetes.tmpVolumeSize': 'K8S_TMP_VOLUME_SIZE',
  'kubernetes.outputLimitBytes': 'K8S_OUTPUT_LIMIT_BYTES',
  'kubernetes.shards': 'K8S_WORKER_SHARDS',
  'kubernetes.shardLeaseSeconds': 'K8S_WORKER_LEASE_SECONDS',
  'kubernetes.shardLeaseGroup': 'K8S_WORKER_LEASE_GROUP',
  adminTokens: 'ADMIN_TOKENS',
  environment: 'APP_ENVIRONMENT',
};

/**
 * Accepted and ignored, so a whole ServiceConfiguration can be passed: the service's name and
 * version are its own, and roles are chosen by forRoot's / forRootAsync's own `roles` (they
 * decide which controllers exist, before any options factory runs).
 */
const IGNORED = new Set(['serviceName', 'serviceVersion', 'roles']);

const OPTION_OF_ENV = new Map(Object.entries(ENV_NAME_OF).map(([path, env]) => [env, path]));

/**
 * Turns a host's module options into the complete options, or throws a ConfigError that names
 * each bad option. The options are written out as the environment variables they stand for and
 * read by loadConfig, so a module and a standalone process accept exactly the same values.
 */
export function resolveModuleOptions(given: unknown = {}): ExecutionQueueOptions {
  const problems: string[] = [];
  const env: Record<string, string> = {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ConfigError([`expected an options object, got ${describe(given)}`], 'Invalid ExecutionQueueModule options');
  }
  const { redisClient, kafkaClient, metricsRegistry, ...settings } = given as Record<string, unknown>;
  collect(settings, '', env, problems);
  if (redisClient !== undefined) {
    if (!looksLike(redisClient, ['duplicate', 'call'])) problems.push(`redisClient: expected an ioredis client, got ${describe(redisClient)}`);
    // The scripts name their keys themselves; a client-side prefix would split them from the keys passed in.
    else if (clientKeyPrefix(redisClient)) problems.push('redisClient: has an ioredis keyPrefix; leave it out and set redisKeyPrefix instead');
    env.STATE_STORE ??= 'redis';
    if (env.STATE_STORE !== 'redis') problems.push(`redisClient: given with stateStore '${env.STATE_STORE}'; a Redis client needs stateStore 'redis'`);
  }
  if (kafkaClient !== undefined) {
    if (!looksLike(kafkaClient, ['producer', 'consumer', 'admin'])) problems.push(`kafkaClient: expected a kafkajs Kafka instance, got ${describe(kafkaClient)}`);
    env.TRANSPORT ??= 'kafka';
    if (env.TRANSPORT !== 'kafka') problems.push(`kafkaClient: given with transport '${env.TRANSPORT}'; a Kafka client needs transport 'kafka'`);
  }
  if (metricsRegistry !== undefined && !looksLike(metricsRegistry, ['registerMetric', 'metrics'])) {
    problems.push(`metricsRegistry: expected a prom-client Registry, got ${describe(metricsRegistry)}`);
  }
  try {
    if (problems.length === 0) {
      const { roles: _roles, ...options } = loadConfig(env);
      return options;
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map(renameEnvNames));
  }
  throw new ConfigError(problems, 'Invalid ExecutionQueueModule options');
}

/** The connections in a host's options (validated by resolveModuleOptions). */
export function givenClientsOf(given: unknown): GivenClients {
  if (given === null || typeof given !== 'object') return {};
  const { redisClient, kafkaClient, metricsRegistry } = given as GivenClients;
  return { redisClient, kafkaClient, metricsRegistry };
}

/** The keyPrefix an ioredis client adds to every key (a Cluster keeps its nodes' options apart). */
function clientKeyPrefix(client: unknown): string | undefined {
  const options = (client as { options?: { keyPrefix?: string; redisOptions?: { keyPrefix?: string } } }).options;
  return options?.keyPrefix || options?.redisOptions?.keyPrefix;
}

function looksLike(value: unknown, methods: string[]): boolean {
  return typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
}

function collect(object: Record<string, unknown>, prefix: string, env: Record<string, string>, problems: string[]): void {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix + key;
    if (value === undefined || IGNORED.has(path)) continue;
    const envName = ENV_NAME_OF[path];
    if (envName !== undefined) {
      const text = asEnvText(value);
      if (text === undefined) problems.push(`${path}: expected ${kindOf(path)}, got ${describe(value)}`);
      else env[envName] = text;
    } else if (value === null && path === 'kafka.sasl') {
      continue;
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && hasOptionsUnder(path)) {
      collect(value as Record<string, unknown>, `${path}.`, env, problems);
    } else {
      problems.push(`${path}: not an option of ExecutionQueueModule${prefix === '' ? '' : ` (the options under ${prefix.slice(0, -1)} are ${optionsUnder(prefix.slice(0, -1)).join(', ')})`}`);
    }
  }
}

function asEnvText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.length === 0 ? ',' : value.join(',');
  return undefined;
}

function kindOf(path: string): string {
  if (path === 'kafka.brokers' || path === 'adminTokens' || path === 'runtimeImages') return 'a list of strings';
  if (path === 'kafka.ssl') return 'a boolean';
  return 'a string or a number';
}

function hasOptionsUnder(path: string): boolean {
  return optionsUnder(path).length > 0;
}

function optionsUnder(path: string): string[] {
  return Object.keys(ENV_NAME_OF)
    .filter((option) => option.startsWith(`${path}.`))
    .map((option) => option.slice(path.length + 1).split('.')[0]!)
    .filter((name, index, names) => names.indexOf(name) === index);
}

/** loadConfig names environment variables; a host wrote options. */
function renameEnvNames(problem: string): string {
  return problem.replace(/\b[A-Z][A-Z0-9_]{2,}\b/g, (name) => OPTION_OF_ENV.get(name) ?? name);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `'${value}'` : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
