// @ts-check
// Lint: typescript-eslint's type-aware recommended rules, plus the promise and switch rules that find real bugs in
// workflow code (a promise neither awaited nor marked `void` is a step the workflow forgot to wait for).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.temporal-bin/',
      '.mlflow/',
      '.moto/',
      '.temporal-cluster/',
      '.data/',
      'test-artifacts/',
      'test/fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each .ts file is checked with its own tsconfig: tsconfig.json, or app/console/tsconfig.json (browser).
        // The scripts are plain ESM with scripts/tsconfig.json; this file is checked in a default project.
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // A leading underscore marks a parameter or binding that is deliberately unused (e.g. `{ secret: _omitted, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // A `let` read by closures before its one assignment (the workflow's runbook, loaded after the handlers are
      // set) must stay a `let`: as a `const` moved to the assignment, an early read would throw instead.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Async methods that implement promise-returning interfaces without awaiting are intended: removing `async`
      // would turn their throws into synchronous throws.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // Tests, fakes and scripts handle arbitrary JSON (`await response.json()` is `any`) by design; the any-flow rules
    // would only demand casts there. The promise rules stay on. node:test's test()/describe() return promises the
    // runner itself waits for, so they need no `await` or `void`.
    files: ['test/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Activity factories return objects of `async method() {}` that never use `this` (the Temporal worker calls
      // them unbound too), and tests destructure them the same way.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] },
          ],
        },
      ],
    },
  },
);
