import { ConfigError } from './config.errors.js';
import { languageRuntimesWith } from '../contracts/language-runtimes.js';
import { loadConfig } from './load-config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      queue: { maxQueueSize: 10000, maxExecutionsPerUser: 100, staleTimeoutSeconds: 3600, maxActiveExecutions: 10 },
      transport: 'memory',
      kafka: { brokers: ['127.0.0.1:9092'], topicPrefix: '' },
      stateStore: 'memory',
      redisUrl: 'redis://127.0.0.1:6379',
      podRuntime: 'simulated',
      simulatedRunMs: 1000,
      k8sNamespace: 'integr8scode',
      roles: ['coordinator', 'worker', 'admin'],
      logLevel: 'info',
      logFormat: 'text',
      adminTokens: [],
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      QUEUE_MAX_SIZE: '5',
      QUEUE_MAX_PER_USER: '2',
      QUEUE_STALE_TIMEOUT_SECONDS: '30',
      QUEUE_MAX_ACTIVE: '3',
      KAFKA_BROKERS: '10.0.0.1:9092, 10.0.0.2:9092',
      KAFKA_CLIENT_ID: 'eq',
      KAFKA_TOPIC_PREFIX: 'prod.',
      KAFKA_TOPIC_PARTITIONS: '6',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'eq',
      KAFKA_SASL_PASSWORD: 'secret',
      TRANSPORT: 'kafka',
      SIMULATED_RUN_MS: '0',
      K8S_NAMESPACE: 'executions',
      ROLES: 'admin,coordinator',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      ADMIN_TOKENS: 'first-token-0123456789,second-token-0123456789',
    });
    expect(config).toMatchObject({
      port: 8080,
      queue: { maxQueueSize: 5, maxExecutionsPerUser: 2, staleTimeoutSeconds: 30, maxActiveExecutions: 3 },
      transport: 'kafka',
      kafka: {
        brokers: ['10.0.0.1:9092', '10.0.0.2:9092'],
        clientId: 'eq',
        topicPrefix: 'prod.',
        topicPartitions: 6,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'eq', password: 'secret' },
      },
      simulatedRunMs: 0,
      k8sNamespace: 'executions',
      roles: ['admin', 'coordinator'],
      logLevel: 'debug',
      logFormat: 'json',
      adminTokens: ['first-token-0123456789', 'second-token-0123456789'],
    });
  });

  it.each([
    [{ PORT: '70000' }, /^PORT: expected an integer from 0 to 65535, got '70000'$/],
    [{ QUEUE_MAX_SIZE: '0' }, /^QUEUE_MAX_SIZE: /],
    [{ QUEUE_MAX_PER_USER: '1.5' }, /^QUEUE_MAX_PER_USER: /],
    [{ QUEUE_STALE_TIMEOUT_SECONDS: '-1' }, /^QUEUE_STALE_TIMEOUT_SECONDS: /],
    [{ QUEUE_MAX_ACTIVE: 'ten' }, /^QUEUE_MAX_ACTIVE: expected an integer/],
    [{ TRANSPORT: 'rabbit' }, /^TRANSPORT: expected one of memory, kafka/],
    [{ STATE_STORE: 'disk' }, /^STATE_STORE: expected one of memory, redis/],
    [{ POD_RUNTIME: 'docker' }, /^POD_RUNTIME: expected one of simulated, kubernetes/],
    [{ K8S_NAMESPACE: 'default' }, /^K8S_NAMESPACE: executions never run in the `default` namespace/],
    [{ K8S_NAMESPACE: 'Bad_Name' }, /^K8S_NAMESPACE: must be a valid namespace name/],
    [{ ROLES: 'coordinator,janitor' }, /^ROLES: expected a comma-separated subset of coordinator, worker, admin/],
    [{ LOG_FORMAT: 'xml' }, /^LOG_FORMAT: expected one of text, json/],
    [{ ADMIN_TOKENS: 'short' }, /^ADMIN_TOKENS: every token must be at least 16 characters/],
    [{ KAFKA_BROKERS: 'no-port' }, /^KAFKA_BROKERS: expected comma-separated host:port pairs/],
    [{ STATE_STORE: 'postgres' }, /^STATE_STORE: expected one of memory, redis/],
    [{ REDIS_URL: '127.0.0.1:6379' }, /^REDIS_URL: expected redis:\/\//],
    [{ QUEUE_LEASE_SECONDS: '0' }, /^QUEUE_LEASE_SECONDS/],
    [{ QUEUE_HOUSEKEEPING_SECONDS: '-1' }, /^QUEUE_HOUSEKEEPING_SECONDS/],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, /^KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: both are required/],
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /^KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512/],
    [{ KAFKA_SSL: 'yes' }, /^KAFKA_SSL: expected one of true, false/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORT: 'x', QUEUE_MAX_SIZE: 'y', LOG_LEVEL: 'z' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['PORT', 'QUEUE_MAX_SIZE', 'LOG_LEVEL']);
  });

  it('maps languages to the operator’s images and keeps the output limit within what a result carries', () => {
    const options = loadConfig({ RUNTIME_IMAGES: 'python=registry.example/py:{version}-slim, bash=registry.example/bash:{version}', K8S_OUTPUT_LIMIT_BYTES: '4096' });
    expect(options.runtimeImages).toEqual(['python=registry.example/py:{version}-slim', 'bash=registry.example/bash:{version}']);
    expect(options.kubernetes.outputLimitBytes).toBe(4096);
    const runtimes = languageRuntimesWith(options.runtimeImages!);
    expect(runtimes.python!.image('3.12')).toBe('registry.example/py:3.12-slim');
    expect(runtimes.node!.image('20')).toBe('node:20-alpine');
    expect(loadConfig({}).kubernetes.outputLimitBytes).toBe(1024 * 1024);
    expect(problemsOf({ RUNTIME_IMAGES: 'cobol=registry.example/cobol:{version},python,python=a,python=b', K8S_OUTPUT_LIMIT_BYTES: '2097152' })).toEqual([
      "K8S_OUTPUT_LIMIT_BYTES: expected an integer from 1024 to 1048576, got '2097152'",
      "RUNTIME_IMAGES: 'cobol' is not a built-in language (python, node, ruby, bash)",
      "RUNTIME_IMAGES: expected language=image entries, got 'python'",
      "RUNTIME_IMAGES: 'python' is given twice",
    ]);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', QUEUE_MAX_ACTIVE: '  ' })).toMatchObject({ port: 3000, queue: { maxActiveExecutions: 10 } });
  });
});
