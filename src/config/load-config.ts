import { MAX_USER_WEIGHT, MIN_USER_WEIGHT, QUEUE_ORDERS } from '../contracts/queue-order.constants.js';
import { ENVIRONMENTS, type Environment } from '../contracts/error-type.constants.js';
import { LANGUAGE_RUNTIMES, RUNTIME_IMAGE_ENTRY } from '../contracts/language-runtimes.js';
import { MAX_OUTPUT_BYTES } from '../contracts/wire-limits.constants.js';
import { ConfigError } from './config.errors.js';
import { LOG_LEVELS, ROLES, type ExecutionQueueOptions, type ServiceConfiguration, type Role } from './execution-queue.options.js';

type Env = Record<string, string | undefined>;

export const SERVICE_NAME = 'execution-queue';
export const SERVICE_VERSION = '0.1.0';
/** A lease longer than the longest timeout an execution may ask for (24 h), so a running pod never loses its slot. */
const DEFAULT_LEASE_SECONDS = 25 * 60 * 60;
const DEFAULT_DISPATCH_GRACE_SECONDS = 30;

/**
 * Reads and validates the configuration from environment variables. Every problem is
 * collected, so one failed start lists everything that needs fixing.
 */
export function loadConfig(env: Env = process.env): ServiceConfiguration {
  const reader = new EnvReader(env);
  const options: ServiceConfiguration = {
    port: reader.integer('PORT', 3000, 0, 65535),
    queue: {
      maxQueueSize: reader.integer('QUEUE_MAX_SIZE', 10_000, 1, 100_000_000),
      maxExecutionsPerUser: reader.integer('QUEUE_MAX_PER_USER', 100, 1, 100_000_000),
      staleTimeoutSeconds: reader.integer('QUEUE_STALE_TIMEOUT_SECONDS', 3600, 1, 365 * 24 * 3600),
      maxActiveExecutions: reader.integer('QUEUE_MAX_ACTIVE', 10, 1, 1_000_000),
      recentIdsCapacity: reader.integer('QUEUE_RECENT_IDS', 100_000, 0, 10_000_000),
      leaseSeconds: reader.integer('QUEUE_LEASE_SECONDS', DEFAULT_LEASE_SECONDS, 1, 30 * 24 * 3600),
      dispatchGraceSeconds: reader.integer('QUEUE_DISPATCH_GRACE_SECONDS', DEFAULT_DISPATCH_GRACE_SECONDS, 1, 24 * 3600),
      queueOrder: reader.oneOf('QUEUE_ORDER', QUEUE_ORDERS, 'fifo'),
      agingSeconds: reader.integer('QUEUE_AGING_SECONDS', 0, 0, 365 * 24 * 3600),
      defaultUserWeight: reader.integer('QUEUE_DEFAULT_USER_WEIGHT', 1, MIN_USER_WEIGHT, MAX_USER_WEIGHT),
    },
    housekeepingSeconds: reader.integer('QUEUE_HOUSEKEEPING_SECONDS', 30, 0, 24 * 3600),
    submitTimeoutSeconds: reader.integer('SUBMIT_TIMEOUT_SECONDS', 5, 1, 300),
    transport: reader.oneOf('TRANSPORT', ['memory', 'kafka'] as const, 'memory'),
    kafka: {
      brokers: reader.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      clientId: reader.text('KAFKA_CLIENT_ID', SERVICE_NAME),
      topicPrefix: reader.text('KAFKA_TOPIC_PREFIX', ''),
      topicPartitions: reader.integer('KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
      topicReplicationFactor: reader.integer('KAFKA_TOPIC_REPLICATION_FACTOR', 1, 1, 10),
      ssl: reader.oneOf('KAFKA_SSL', ['true', 'false'] as const, 'false') === 'true',
      sasl: readSasl(reader),
    },
    stateStore: reader.oneOf('STATE_STORE', ['memory', 'redis'] as const, 'memory'),
    redisUrl: reader.text('REDIS_URL', 'redis://127.0.0.1:6379'),
    redisKeyPrefix: reader.text('REDIS_KEY_PREFIX', 'execution-queue:'),
    redisWaitReplicas: reader.integer('REDIS_WAIT_REPLICAS', 0, 0, 16),
    podRuntime: reader.oneOf('POD_RUNTIME', ['simulated', 'kubernetes'] as const, 'simulated'),
    simulatedRunMs: reader.integer('SIMULATED_RUN_MS', 1000, 0, 24 * 3600 * 1000),
    runtimeImages: reader.list('RUNTIME_IMAGES', []),
    k8sNamespace: reader.text('K8S_NAMESPACE', 'integr8scode'),
    kubernetes: {
      maxConcurrentCreates: reader.integer('K8S_MAX_CONCURRENT_CREATES', 8, 1, 1000),
      finishedPodTtlSeconds: reader.integer('K8S_FINISHED_POD_TTL_SECONDS', 60, 0, 7 * 24 * 3600),
      defaults: {
        cpuLimit: reader.text('K8S_DEFAULT_CPU_LIMIT', '1000m'),
        memoryLimit: reader.text('K8S_DEFAULT_MEMORY_LIMIT', '512Mi'),
        cpuRequest: reader.text('K8S_DEFAULT_CPU_REQUEST', '100m'),
        memoryRequest: reader.text('K8S_DEFAULT_MEMORY_REQUEST', '128Mi'),
      },
      outputVolumeSize: reader.text('K8S_OUTPUT_VOLUME_SIZE', '64Mi'),
      tmpVolumeSize: reader.text('K8S_TMP_VOLUME_SIZE', '64Mi'),
      outputLimitBytes: reader.integer('K8S_OUTPUT_LIMIT_BYTES', MAX_OUTPUT_BYTES, 1024, MAX_OUTPUT_BYTES),
      shards: reader.integer('K8S_WORKER_SHARDS', 8, 1, 256),
      shardLeaseSeconds: reader.integer('K8S_WORKER_LEASE_SECONDS', 15, 3, 600),
      shardLeaseGroup: reader.text('K8S_WORKER_LEASE_GROUP', 'execution-queue'),
    },
    stream: {
      statusSeconds: reader.integer('STREAM_STATUS_SECONDS', 5, 1, 3600),
      maxBufferedKb: reader.integer('STREAM_MAX_BUFFERED_KB', 1024, 16, 1024 * 1024),
    },
    roles: reader.subsetOf('ROLES', ROLES, [...ROLES]) as Role[],
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: reader.oneOf('LOG_FORMAT', ['text', 'json'] as const, 'text'),
    adminTokens: reader.list('ADMIN_TOKENS', []),
    environment: reader.oneOf('APP_ENVIRONMENT', ENVIRONMENTS, 'development' as Environment),
    serviceName: SERVICE_NAME,
    serviceVersion: SERVICE_VERSION,
  };
  for (const problem of runtimeImageProblems(options.runtimeImages ?? [])) reader.check(false, problem);
  reader.check(options.k8sNamespace !== 'default', 'K8S_NAMESPACE: executions never run in the `default` namespace; choose a dedicated one');
  reader.check(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.k8sNamespace),
    `K8S_NAMESPACE: must be a valid namespace name (lower-case letters, digits, dashes), got '${options.k8sNamespace}'`,
  );
  reader.check(
    /^rediss?:\/\/.+/.test(options.redisUrl),
    `REDIS_URL: expected redis://[user:password@]host:port[/db] or rediss://..., got '${options.redisUrl}'`,
  );
  reader.check(
    options.adminTokens.every((token) => token.length >= 16),
    'ADMIN_TOKENS: every token must be at least 16 characters long',
  );
  reader.check(
    options.kafka.brokers.every((broker) => /^[^\s:]+:\d{1,5}$/.test(broker)),
    `KAFKA_BROKERS: expected comma-separated host:port pairs, got '${env.KAFKA_BROKERS ?? ''}'`,
  );
  reader.throwIfInvalid();
  return options;
}

/** What is wrong with the `RUNTIME_IMAGES` entries, one line each. */
function runtimeImageProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const language = RUNTIME_IMAGE_ENTRY.exec(entry)?.[1];
    if (language === undefined) problems.push(`RUNTIME_IMAGES: expected language=image entries, got '${entry}'`);
    else if (!(language in LANGUAGE_RUNTIMES)) problems.push(`RUNTIME_IMAGES: '${language}' is not a built-in language (${Object.keys(LANGUAGE_RUNTIMES).join(', ')})`);
    else if (seen.has(language)) problems.push(`RUNTIME_IMAGES: '${language}' is given twice`);
    else seen.add(language);
  }
  return problems;
}

function readSasl(reader: EnvReader): ExecutionQueueOptions['kafka']['sasl'] {
  const mechanism = reader.optionalOneOf('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512'] as const);
  if (mechanism === undefined) return null;
  const username = reader.text('KAFKA_SASL_USERNAME', '');
  const password = reader.text('KAFKA_SASL_PASSWORD', '');
  reader.check(username !== '' && password !== '', 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: both are required with KAFKA_SASL_MECHANISM');
  return { mechanism, username, password };
}

class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got '${raw}'`);
    return fallback;
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.raw(name) === undefined ? undefined : this.oneOf(name, allowed, allowed[0]!);
  }

  subsetOf<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
    const values = this.list(name, fallback) as T[];
    const unknown = values.filter((value) => !(allowed as readonly string[]).includes(value));
    if (unknown.length > 0 || values.length === 0) {
      this.problems.push(`${name}: expected a comma-separated subset of ${allowed.join(', ')}, got '${this.raw(name) ?? ''}'`);
      return fallback;
    }
    return [...new Set(values)];
  }

  list(name: string, fallback: string[]): string[] {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    return raw.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  }

  text(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  check(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  /** Unset and empty are the same: the default applies. */
  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }
}
