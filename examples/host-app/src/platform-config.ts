import { type DynamicModule, Injectable, Module } from '@nestjs/common';

/** The platform's own settings; the queue's options are derived from them in app.module.ts. */
export interface PlatformSettings {
  /** How many executions may run at once. */
  executionSlots: number;
  /** How long a simulated run takes (this example has no cluster). */
  runMs: number;
  /** Bearer token for the queue's admin API under /queue-admin. */
  adminToken: string;
}

const DEFAULTS: PlatformSettings = {
  executionSlots: Number(process.env.PLATFORM_EXECUTION_SLOTS ?? 2),
  runMs: Number(process.env.PLATFORM_RUN_MS ?? 50),
  adminToken: process.env.PLATFORM_ADMIN_TOKEN ?? 'platform-admin-token-0123456789',
};

@Injectable()
export class PlatformConfig {
  constructor(readonly settings: PlatformSettings) {}
}

/** A config module as a platform would have one: settings come from the environment or the caller. */
@Module({})
export class PlatformConfigModule {
  static with(overrides: Partial<PlatformSettings> = {}): DynamicModule {
    return {
      module: PlatformConfigModule,
      providers: [{ provide: PlatformConfig, useValue: new PlatformConfig({ ...DEFAULTS, ...overrides }) }],
      exports: [PlatformConfig],
    };
  }
}
