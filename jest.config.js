// Jest runs the TypeScript sources as ES modules through swc (README, Tests).
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup/quiet-logger.ts'],
  // The test infrastructure's data lives in .infra/; etcd's own `.snap` files there would
  // otherwise count as obsolete Jest snapshots and fail the run.
  modulePathIgnorePatterns: ['<rootDir>/.infra/', '<rootDir>/dist/', '<rootDir>/dist-bench/'],
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    // Integration tests talk to the real broker started by scripts/infra/up.sh; afterwards the
    // keys they left in its Redis go (see the teardown).
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalTeardown: '<rootDir>/test/setup/forget-test-keys.ts',
    },
  ],
};
