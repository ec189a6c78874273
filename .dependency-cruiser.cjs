// The package boundaries of Streamplane, checked by `npm run lint` (dependency-cruiser). docs/design.md
// explains the rules; test/architecture/boundaries.test.ts plants a wrong-way import for each and expects
// it to fail.
'use strict';

/** One workspace package: a library, a service, the tools, the bench or the system tests. */
const PACKAGE = '^(libs/[^/]+|services/[^/]+|scripts|bench|test)/';
const PRODUCT = '^(libs/(platform|contracts|streaming)/src/|services/[^/]+/src/|scripts/(?!test/))';
/** What another package may import of a service: its declared entry points, nothing else. */
const SERVICE_ENTRY_POINTS = 'src/(config|application/dependencies|ranking-benchmark)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'relative-import-across-packages',
      comment:
        'A package is used only through its public entry points (@streamplane/<name>), never by a relative path.',
      severity: 'error',
      from: { path: PACKAGE },
      to: { dependencyTypes: ['local'], pathNot: '^$1/' },
    },
    {
      name: 'platform-is-cross-cutting',
      comment:
        '@streamplane/platform knows no service, no contract and no streaming domain: everything depends on it, it on none of ours.',
      severity: 'error',
      from: { path: '^libs/platform/src/' },
      to: { path: '^(libs/(contracts|streaming|testkit)|services|scripts|bench|test)/' },
    },
    {
      name: 'contracts-depend-on-platform-only',
      comment: '@streamplane/contracts holds the registry and the generated types; it builds on the platform alone.',
      severity: 'error',
      from: { path: '^libs/contracts/src/' },
      to: { path: '^(libs/(streaming|testkit)|services|scripts|bench|test)/' },
    },
    {
      name: 'streaming-domain-is-plain',
      comment:
        '@streamplane/streaming is plain TypeScript: no Nest, no gRPC, nothing of the platform but its domain errors.',
      severity: 'error',
      from: { path: '^libs/streaming/src/' },
      to: {
        path: '(^(libs/(contracts|testkit)|services|scripts|bench|test)/|^libs/platform/src/(?!errors/)|node_modules/(@nestjs|@grpc)/)',
      },
    },
    {
      name: 'product-code-never-uses-the-test-kit',
      comment: 'The test kit (and the bench and system tests) are for tests; no service, library or tool imports them.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^(libs/testkit|bench|test)/' },
    },
    {
      name: 'no-service-internals',
      comment:
        "Nothing outside a service imports its internals; a service's public entry points are its config, its dependency declarations and the ranking benchmark.",
      severity: 'error',
      from: { path: PACKAGE },
      to: { path: '^services/', pathNot: ['^$1/', `^services/[^/]+/${SERVICE_ENTRY_POINTS}`] },
    },
    {
      name: 'domain-is-plain-typescript',
      comment: 'Domain code is plain TypeScript rules: no Nest, no gRPC, nothing of api/, application/ or adapters/.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: {
        path: '(node_modules/(@nestjs|@grpc)/|^services/[^/]+/src/(api|application|adapters)/|^libs/platform/src/(?!(errors/|paging|clock|validation)))',
      },
    },
    {
      name: 'application-depends-on-ports-not-adapters',
      comment: 'Application code orchestrates over ports; the adapters implement them and are wired in the module.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/application/' },
      to: { path: '^services/$1/src/(api|adapters)/' },
    },
    {
      name: 'adapters-do-not-call-the-api',
      comment: 'Adapters are driven by the application; they never reach back into controllers.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/adapters/' },
      to: { path: '^services/$1/src/api/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules form no cycle: each layer can be read without the ones that use it.',
      severity: 'error',
      from: { path: PACKAGE },
      // A type-only import back (an interface a module implements) is no cycle at run time.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|generated)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    // Workspace packages resolve through their package.json `exports`, to their sources, as in the tests.
    enhancedResolveOptions: {
      conditionNames: ['streamplane-source', 'require', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['main', 'types'],
    },
  },
};
