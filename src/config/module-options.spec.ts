import { ConfigError } from './config.errors.js';
import { loadConfig } from './load-config.js';
import { resolveModuleOptions } from './module-options.js';

function problemsOf(given: unknown): readonly string[] {
  try {
    resolveModuleOptions(given);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the options to be refused');
}

describe('resolveModuleOptions', () => {
  const { roles: _roles, ...defaults } = loadConfig({});

  it('fills every option a host leaves out with the default of its environment variable', () => {
    expect(resolveModuleOptions()).toEqual(defaults);
    expect(resolveModuleOptions({})).toEqual(defaults);
    const resolved = resolveModuleOptions({ queue: { maxActiveExecutions: 3, queueOrder: 'fair' }, kafka: { brokers: ['kafka-1:9092', 'kafka-2:9092'] }, stateStore: 'redis' });
    expect(resolved.queue).toEqual({ ...defaults.queue, maxActiveExecutions: 3, queueOrder: 'fair' });
    expect(resolved.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(resolved.stateStore).toBe('redis');
    expect(resolved.kubernetes).toEqual(defaults.kubernetes);
  });

  it('accepts the whole configuration the standalone service reads from its environment', () => {
    const config = loadConfig({ QUEUE_MAX_SIZE: '7', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'secret', ADMIN_TOKENS: 'a'.repeat(16) });
    const { roles: _ignored, ...options } = config;
    expect(resolveModuleOptions(options)).toEqual(options);
  });

  it('refuses bad values by the environment rules, naming each option', () => {
    const problems = problemsOf({ queue: { maxQueueSize: 0, queueOrder: 'random' }, redisUrl: 'localhost:6379', kafka: { ssl: 'yes', sasl: { mechanism: 'plain' } } });
    expect(problems).toEqual(
      expect.arrayContaining([
        "queue.maxQueueSize: expected an integer from 1 to 100000000, got '0'",
        "queue.queueOrder: expected one of fifo, fair, got 'random'",
        "kafka.ssl: expected one of true, false, got 'yes'",
        'kafka.sasl.username and kafka.sasl.password: both are required with kafka.sasl.mechanism',
        "redisUrl: expected redis://[user:password@]host:port[/db] or rediss://..., got 'localhost:6379'",
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/QUEUE_|REDIS_|KAFKA_/);
  });

  it('refuses values of the wrong type and options that do not exist, naming them', () => {
    expect(problemsOf({ queue: { maxActiveExecutions: { value: 3 } } })).toEqual(['queue.maxActiveExecutions: expected a string or a number, got an object']);
    expect(problemsOf({ kafka: { brokers: [9092] } })).toEqual(['kafka.brokers: expected a list of strings, got an array']);
    expect(problemsOf({ queue: { maxSize: 10 } })[0]).toMatch(/^queue\.maxSize: not an option of ExecutionQueueModule \(the options under queue are maxQueueSize, /);
    expect(problemsOf({ redisURL: 'redis://x:1' })).toEqual(['redisURL: not an option of ExecutionQueueModule']);
    expect(problemsOf('redis://x:1')).toEqual(["expected an options object, got 'redis://x:1'"]);
  });

  it('says in its message that the module options are wrong', () => {
    expect(() => resolveModuleOptions({ queue: { maxQueueSize: -1 } })).toThrow(/^Invalid ExecutionQueueModule options:\n {2}- queue\.maxQueueSize: /);
  });
});
