// ESLint for the TypeScript sources; the architecture rules (domain purity, no cycles) are
// checked by dependency-cruiser in `npm run lint` as well.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const FRAMEWORK_AND_IO = ['@nestjs/*', 'kafkajs', 'ioredis', '@kubernetes/*', 'express', 'rxjs', 'node:*', 'fs', 'net', 'http', 'crypto'];

export default tseslint.config(
  { ignores: ['.infra/**', 'dist/**', 'dist-bench/**', 'dist-check/**', 'node_modules/**', 'reports/**', 'coverage/**', '.pack/**', 'examples/*/node_modules/**', 'examples/*/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The dashboard's script runs in the browser.
    files: ['src/**/assets/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly', sessionStorage: 'readonly', fetch: 'readonly', confirm: 'readonly', alert: 'readonly', prompt: 'readonly',
        Option: 'readonly', TextDecoderStream: 'readonly', AbortController: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // Nest reads constructor parameter types at run time, so injected classes must be value imports.
    files: ['{src,examples}/**/*.controller.ts', '{src,examples}/**/*.service.ts', 'src/**/*.guard.ts', 'src/**/*.registry.ts', 'src/**/*.facade.ts', 'src/**/*.feed.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['src/coordinator/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: FRAMEWORK_AND_IO, message: 'Domain code stays free of frameworks and I/O (docs/design.md, section 1).' }] }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Use the injected Clock so tests control time.' }],
    },
  },
);
