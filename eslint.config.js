import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'process', 'worker_threads', 'dns', 'stream', 'url'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Workflow code must stay deterministic: no Node built-ins, no database, no activities' code.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: NODE_BUILTINS.flatMap((m) => [m, `node:${m}`]), message: 'Workflows must not use Node built-ins.' },
            { group: ['**/db/**', '@mikro-orm/*'], message: 'Workflows must not touch the database.' },
            { group: ['**/activities/**'], allowTypeImports: true, message: 'Import activity types only.' },
            // core/errors.ts (the failure-type enum) and core/money.ts (minor-unit conversions) import
            // nothing and do no I/O, so workflows may use them.
            { group: ['**/core/**', '!**/core/errors.js', '!**/core/money.js', '**/providers/**', '**/api/**'], message: 'Workflows import only workflow-safe modules.' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
);
