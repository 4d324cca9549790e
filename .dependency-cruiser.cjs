/**
 * Architecture rules (docs/design.md, section 1): the domain imports no framework or I/O library, modules only
 * reach the rooms they may, and there are no import cycles.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make module boundaries meaningless and break ES module initialisation order.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'coordinator/domain holds the queue rules as plain TypeScript: no Nest, Kafka, Redis, Kubernetes or Node I/O.',
      from: { path: '^src/coordinator/domain/' },
      to: { path: ['node_modules/(@nestjs|kafkajs|ioredis|@kubernetes|express|rxjs|class-validator|class-transformer)', '^(node:)?(fs|net|http|https|crypto|child_process|dgram|tls)$'] },
    },
    {
      name: 'domain-imports-only-contracts',
      severity: 'error',
      from: { path: '^src/coordinator/domain/' },
      to: { path: '^src/', pathNot: ['^src/coordinator/domain/', '^src/contracts/(priority|queue-order)\\.constants\\.ts$'] },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { path: '^src/', pathNot: '^src/contracts/' },
    },
    {
      name: 'config-imports-only-contracts',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/config/', '^src/contracts/'] },
    },
    {
      name: 'transport-does-not-reach-other-rooms',
      severity: 'error',
      from: { path: '^src/kafka-transport/' },
      to: { path: '^src/(coordinator|kubernetes-worker|admin|application|embedding|roles)/' },
    },
    {
      name: 'worker-does-not-reach-coordinator-or-admin',
      severity: 'error',
      from: { path: '^src/kubernetes-worker/' },
      to: { path: '^src/(coordinator|admin|application|embedding|roles)/' },
    },
    {
      name: 'coordinator-does-not-reach-admin-or-worker',
      severity: 'error',
      from: { path: '^src/coordinator/' },
      to: { path: '^src/(admin|kubernetes-worker|application|embedding|roles)/' },
    },
    {
      name: 'application-knows-no-adapter',
      severity: 'error',
      comment: 'application holds the queue operations once, free of HTTP: REST (admin) and the facade (embedding) adapt it, never the other way.',
      from: { path: '^src/application/' },
      to: { path: ['^src/(admin|embedding|kafka-transport|kubernetes-worker|roles)/', 'node_modules/(express|@nestjs/platform-express|@nestjs/swagger)'] },
    },
    {
      name: 'admin-does-not-reach-embedding-or-transport',
      severity: 'error',
      comment: 'The REST API is one adapter over application; the facade is another (it may take the API\'s submission rules from admin, not the reverse). Dead letters reach admin through a port.',
      from: { path: '^src/admin/' },
      to: { path: '^src/(embedding|kafka-transport|kubernetes-worker|roles)/' },
    },
    {
      name: 'embedding-does-not-reach-transport-or-worker',
      severity: 'error',
      from: { path: '^src/embedding/' },
      to: { path: '^src/(kafka-transport|kubernetes-worker|roles)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
