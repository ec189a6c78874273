// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'libs/contracts/src/generated/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // Domain code is plain TypeScript: no framework, no transport.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nestjs/*', '@grpc/*'], message: 'Domain logic must not depend on Nest or gRPC.' }] },
      ],
    },
  },
  {
    // Outbound calls go through the platform's resilient client only (test/architecture checks it too).
    files: ['services/*/src/**/*.ts'],
    ignores: ['services/*/src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@grpc/*'],
              message: 'Use the platform (ServiceClients, errors, validation) instead of gRPC directly.',
            },
          ],
        },
      ],
    },
  },
  {
    // The control room calls no service's API: it asks grpc.health.v1, as a probe does, and receives OTLP, as
    // a collector does, in these two adapters (test/architecture/outbound-calls.test.ts exempts the same two).
    files: [
      'services/control-room/src/adapters/health-probes.ts',
      'services/control-room/src/adapters/otlp-receiver.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The control room's page: plain browser JavaScript, served as it is written.
    files: ['services/control-room/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', fetch: 'readonly', setTimeout: 'readonly', AbortSignal: 'readonly' },
    },
  },
  {
    files: ['scripts/**/*.js', '*.js', '*.cjs', '*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
);
