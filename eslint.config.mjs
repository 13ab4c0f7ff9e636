// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** What may run in the workflow sandbox: no Node builtins, no I/O, no client or worker packages. */
const sandboxOnly = [
  {
    group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'util'],
    message: 'Workflows run in a deterministic sandbox; do I/O in an activity.',
  },
  {
    group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
    message: 'Sandbox code may use @temporalio/workflow and @temporalio/common only.',
  },
];
/** src/bin/ holds process entry points: they are run, never imported. */
const noBin = { group: ['**/bin/**'], message: 'src/bin/ holds entry points; move what you need out of it.' };
/** The desk is a process of its own, built on clients and infra; nothing below it knows it. */
const noDesk = {
  group: ['**/desk/**', '**/desk'],
  message: 'src/desk builds on clients and infra, never the reverse.',
};
/** Node-side code names a workflow only by type (`workflow.start<typeof Order>`), so it never loads workflow code. */
const workflowsByTypeOnly = {
  group: ['**/workflows/**', '**/workflows'],
  allowTypeImports: true,
  message:
    'Node-side code takes signal, query and update definitions from src/contract, never a workflow module.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'lib',
      'dist',
      'coverage',
      '.temporal',
      'eslint.config.mjs',
      'jest.config.js',
      'scripts/*.cjs',
      'test/fixtures/**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'object-shorthand': ['error', 'always'],
    },
  },
  // The folders are the roles, and these rules are their arrows (docs/code-layout.md): the contract imports
  // nothing of the project; workflows import the contract (and activities' types, for proxyActivities); nothing
  // imports a process entry point.
  {
    files: ['src/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      // Without these the rule reads .js dependencies only and sees no cycle among .ts files.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    files: ['src/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noBin] }] },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...sandboxOnly,
            { group: ['../*', '!../contract'], message: 'src/contract imports nothing else of the project.' },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...sandboxOnly,
            {
              group: ['**/src/**', '!**/src/contract', '!**/src/contract/**', '**/test/**', '**/scripts/**'],
              message: 'Workflows import the contract (src/contract) only; the rest of src/ is Node-side.',
            },
            {
              regex: '(^|/)src/contract(/index)?$',
              allowTypeImports: true,
              message:
                'Import contract values by file: src/contract/index.ts would be bundled beside workflows/index.ts, and no two files in the sandbox share a name.',
            },
            {
              group: ['**/activities/**'],
              allowTypeImports: true,
              message:
                'Workflows import activities by type only (proxyActivities); their code runs on the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/clients/**/*.ts', 'activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [noBin, workflowsByTypeOnly, noDesk] },
      ],
    },
  },
  {
    files: ['src/desk/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noBin, workflowsByTypeOnly] }],
    },
  },
  // Clients build on infra (the codec, telemetry, the connection settings), never the reverse.
  {
    files: ['src/infra/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noBin,
            workflowsByTypeOnly,
            {
              group: ['**/clients/**', '**/clients'],
              message: 'src/infra may not import src/clients; clients build on infra.',
            },
            noDesk,
          ],
        },
      ],
    },
  },
  // Bundled into the workflow sandbox as the failure converter, beside the codec every client and worker loads.
  {
    files: ['src/infra/codec/failure-converter.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...sandboxOnly,
            {
              group: ['./*', '../*'],
              message: 'The failure converter runs in the sandbox: @temporalio/common only.',
            },
          ],
        },
      ],
    },
  },
  // Scripts may use the test harness (test/support); tests never import a script.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noBin,
            {
              group: ['**/scripts/**', '**/scripts'],
              message: 'Tests may not import scripts/; move what both need to src/ or test/support/.',
            },
          ],
        },
      ],
    },
  },
  // One typed config module reads the environment, so every variable has one default and one parse.
  {
    files: ['src/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts'],
    ignores: ['src/infra/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through src/infra/config.ts.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
