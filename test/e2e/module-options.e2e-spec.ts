import { Injectable, Module, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ConfigError,
  EXECUTION_QUEUE_OPTIONS,
  ExecutionQueueModule,
  STANDALONE_HTTP,
  type ExecutionQueueModuleOptions,
  type ExecutionQueueOptions,
  type Role,
} from '../../src/index.js';
import { loadConfig } from '../../src/config/load-config.js';

/** A host platform's own configuration service. */
@Injectable()
class PlatformSettings {
  maxActive = 2;
  queueSize: number = 50;
  create(): ExecutionQueueModuleOptions {
    return { queue: { maxActiveExecutions: this.maxActive, maxQueueSize: this.queueSize } };
  }
}

@Module({ providers: [PlatformSettings], exports: [PlatformSettings] })
class PlatformSettingsModule {}

const { roles: _roles, ...DEFAULTS } = loadConfig({});

async function resolvedOptions(imports: Parameters<typeof Test.createTestingModule>[0]['imports']): Promise<ExecutionQueueOptions> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    return app.get<ExecutionQueueOptions>(EXECUTION_QUEUE_OPTIONS);
  } finally {
    await app.close();
  }
}

describe('module options given by a host', () => {
  it('boots with the embedded defaults when the host gives no options at all', async () => {
    expect(await resolvedOptions([ExecutionQueueModule.forRoot()])).toEqual(DEFAULTS);
  });

  it('takes partial options from a host factory and fills in the rest', async () => {
    const options = await resolvedOptions([
      ExecutionQueueModule.forRootAsync({
        imports: [PlatformSettingsModule],
        inject: [PlatformSettings],
        useFactory: (settings: PlatformSettings) => ({ queue: { maxActiveExecutions: settings.maxActive }, queueOrderIgnored: undefined }),
      }),
    ]);
    expect(options.queue).toEqual({ ...DEFAULTS.queue, maxActiveExecutions: 2 });
    expect(options.kafka).toEqual(DEFAULTS.kafka);
  });

  it('takes them from a host class too (useClass)', async () => {
    const options = await resolvedOptions([ExecutionQueueModule.forRootAsync({ useClass: PlatformSettings })]);
    expect(options.queue).toMatchObject({ maxActiveExecutions: 2, maxQueueSize: 50 });
  });

  it('fails the host bootstrap with a message naming each bad option', async () => {
    const failure = await Test.createTestingModule({
      imports: [ExecutionQueueModule.forRootAsync({ useFactory: () => ({ queue: { maxQueueSize: 0 }, stateStore: 'postgres' }) as unknown as ExecutionQueueModuleOptions })],
    })
      .compile()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toEqual(["queue.maxQueueSize: expected an integer from 1 to 100000000, got '0'", "stateStore: expected one of memory, redis, got 'postgres'"]);
  });

  it('refuses roles it does not know, naming them', () => {
    expect(() => ExecutionQueueModule.forRoot({ roles: ['coordinator', 'scheduler' as Role] })).toThrow(/roles: expected a non-empty subset of coordinator, worker, admin, got \[coordinator, scheduler\]/);
  });

  it('generates and logs an admin token only where the REST API is served', async () => {
    const tokenWarnings = async (options: ExecutionQueueModuleOptions & { http?: typeof STANDALONE_HTTP }) => {
      const warnings: string[] = [];
      const recorder: LoggerService = { log: () => undefined, error: () => undefined, warn: (message: unknown) => void warnings.push(String(message)) };
      const moduleRef = await Test.createTestingModule({ imports: [ExecutionQueueModule.forRoot(options)] }).setLogger(recorder).compile();
      await moduleRef.close();
      return warnings.filter((warning) => warning.includes('ADMIN_TOKENS'));
    };
    expect(await tokenWarnings({})).toEqual([]);
    expect(await tokenWarnings({ http: STANDALONE_HTTP })).toEqual([expect.stringMatching(/generated an admin token/)]);
  });
});
