import type { QueueOrder } from '../contracts/queue-order.constants.js';
import type { Environment } from '../contracts/error-type.constants.js';

export const ROLES = ['coordinator', 'worker', 'admin'] as const;
/** A part of the service a process can run. */
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'text' | 'json';

/** Everything the service can be configured with. Each field names its env variable and default. */
export interface ExecutionQueueOptions {
  /** `PORT`, default 3000. */
  port: number;
  queue: {
    /** `QUEUE_MAX_SIZE`, default 10000: most pending executions. */
    maxQueueSize: number;
    /** `QUEUE_MAX_PER_USER`, default 100: most pending plus active executions per user. */
    maxExecutionsPerUser: number;
    /** `QUEUE_STALE_TIMEOUT_SECONDS`, default 3600: pending longer than this is discarded. */
    staleTimeoutSeconds: number;
    /** `QUEUE_MAX_ACTIVE`, default 10: most dispatched, unfinished executions. */
    maxActiveExecutions: number;
    /** `QUEUE_RECENT_IDS`, default 100000: finished ids remembered to ignore redelivered requests. */
    recentIdsCapacity: number;
    /** `QUEUE_LEASE_SECONDS`, default 90000 (25 h): an active execution with no terminal event or sign of life for this long loses its slot. Keep it above the longest execution timeout. */
    leaseSeconds: number;
    /** `QUEUE_DISPATCH_GRACE_SECONDS`, default 30: a dispatch whose command is unconfirmed this long is published again. */
    dispatchGraceSeconds: number;
    /** `QUEUE_ORDER`, default `fifo`: order inside a priority level, `fifo` (arrival) or `fair` (weighted fair share between users). */
    queueOrder?: QueueOrder;
    /** `QUEUE_AGING_SECONDS`, default 0 (off): every this many seconds of waiting lift an execution one level, up to `high`. */
    agingSeconds?: number;
    /** `QUEUE_DEFAULT_USER_WEIGHT`, default 1 (1–100): a user's weight under `fair` until an operator sets one. */
    defaultUserWeight?: number;
  };
  /** `QUEUE_HOUSEKEEPING_SECONDS`, default 30 (0 = off): how often an idle coordinator looks for expired leases and half-done dispatches. */
  housekeepingSeconds: number;
  /** `SUBMIT_TIMEOUT_SECONDS`, default 5: longest a `POST /api/v1/executions` waits for the broker before answering 503. */
  submitTimeoutSeconds: number;
  /** `TRANSPORT`, default `memory`: `memory` (in-process bus) or `kafka`. */
  transport: 'memory' | 'kafka';
  kafka: {
    /** `KAFKA_BROKERS`, default `127.0.0.1:9092`. */
    brokers: string[];
    /** `KAFKA_CLIENT_ID`, default `execution-queue`. */
    clientId: string;
    /** `KAFKA_TOPIC_PREFIX`, default empty: prepended to every topic name. */
    topicPrefix: string;
    /** `KAFKA_TOPIC_PARTITIONS`, default 3: partitions of topics the service creates. */
    topicPartitions: number;
    /** `KAFKA_TOPIC_REPLICATION_FACTOR`, default 1: replication of topics the service creates. */
    topicReplicationFactor: number;
    /** `KAFKA_SSL`, default false: TLS to the brokers (system trust store). */
    ssl: boolean;
    /** `KAFKA_SASL_MECHANISM` (`plain`, `scram-sha-256`, `scram-sha-512`), `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`; default none. */
    sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | null;
  };
  /** `STATE_STORE`, default `memory`: `memory` or `redis`. */
  stateStore: 'memory' | 'redis';
  /** `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** `REDIS_KEY_PREFIX`, default `execution-queue:`: prepended to every key; give each deployment its own. */
  redisKeyPrefix: string;
  /**
   * `REDIS_WAIT_REPLICAS`, default 0: how many replicas must hold each state change before the
   * queue acts on it (Redis `WAIT`). Set it to 1 with Sentinel, so a failover cannot take back a
   * change the queue already announced. Not for a Cluster.
   */
  redisWaitReplicas: number;
  /** `POD_RUNTIME`, default `simulated`: `simulated` or `kubernetes`. */
  podRuntime: 'simulated' | 'kubernetes';
  /** `SIMULATED_RUN_MS`, default 1000: how long a simulated execution runs. */
  simulatedRunMs: number;
  /**
   * `RUNTIME_IMAGES`, default none: the image each built-in language runs in, as
   * `language=image` entries with `{version}` where the requested version goes
   * (`python=registry.example/python:{version}-slim`). Languages left out keep the built-in image.
   */
  runtimeImages?: string[];
  /** `K8S_NAMESPACE`, default `integr8scode`; never `default`. */
  k8sNamespace: string;
  /** Settings of the Kubernetes pod runtime (`POD_RUNTIME=kubernetes`); the cluster comes from `KUBECONFIG` or the in-cluster service account. */
  kubernetes: {
    /** `K8S_MAX_CONCURRENT_CREATES`, default 8: pod creations in flight at once. */
    maxConcurrentCreates: number;
    /** `K8S_FINISHED_POD_TTL_SECONDS`, default 60: how long a finished pod is kept before it is deleted. */
    finishedPodTtlSeconds: number;
    /** `K8S_DEFAULT_CPU_LIMIT`, `K8S_DEFAULT_MEMORY_LIMIT`, `K8S_DEFAULT_CPU_REQUEST`, `K8S_DEFAULT_MEMORY_REQUEST` (1000m, 512Mi, 100m, 128Mi): used when a command leaves one empty. */
    defaults: { cpuLimit: string; memoryLimit: string; cpuRequest: string; memoryRequest: string };
    /** `K8S_OUTPUT_VOLUME_SIZE`, `K8S_TMP_VOLUME_SIZE` (64Mi each): size limits of the writable volumes. */
    outputVolumeSize: string;
    tmpVolumeSize: string;
    /** `K8S_OUTPUT_LIMIT_BYTES`, default 1048576 (1 MiB, the most): bytes of stdout and of stderr each kept in a result; the rest is cut with a marker. */
    outputLimitBytes: number;
    /** `K8S_WORKER_SHARDS`, default 8: executor pods are spread over this many shards, each watched by one worker replica (keep it fixed while pods exist). */
    shards: number;
    /** `K8S_WORKER_LEASE_SECONDS`, default 15: a worker that has not renewed its shard leases for this long loses them to another replica. */
    shardLeaseSeconds: number;
    /** `K8S_WORKER_LEASE_GROUP`, default `execution-queue`: prefix of the shard Lease names; worker deployments sharing a namespace need different groups. */
    shardLeaseGroup: string;
  };
  /** The live streams (`/api/v1/admin/stream`, `/api/v1/executions/{id}/events`). */
  stream: {
    /** `STREAM_STATUS_SECONDS`, default 5: how often the admin stream sends a status frame (and keeps idle connections alive). */
    statusSeconds: number;
    /** `STREAM_MAX_BUFFERED_KB`, default 1024: a client with more than this waiting to be sent is dropped. */
    maxBufferedKb: number;
  };
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
  /** `LOG_FORMAT`, default `text`; `json` writes one JSON object per line. */
  logFormat: LogFormat;
  /** `ADMIN_TOKENS`, default none: bearer tokens for `/api/v1`; when empty one is generated at start. */
  adminTokens: string[];
  /** `APP_ENVIRONMENT`, default `development`: stamped into the metadata of events we originate. */
  environment: Environment;
  /** Name and version stamped into every event we publish. */
  serviceName: string;
  serviceVersion: string;
}

/** The options plus what decides the module's shape: which roles this process runs. */
export interface ServiceConfiguration extends ExecutionQueueOptions {
  /** `ROLES`, default `coordinator,worker,admin`: which parts this process runs. */
  roles: Role[];
}
