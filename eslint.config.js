// Typed lint for the whole project. Workflows get extra rules: Temporal replays
// them, so they must not touch Node built-ins, the clock or randomness directly.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'coverage/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', '.dependency-cruiser.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Fastify plugins and test callbacks are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.flatMap((name) => [
          { name, message: 'Workflows are replayed: no Node built-ins. Use an activity.' },
          { name: `node:${name}`, message: 'Workflows are replayed: no Node built-ins. Use an activity.' },
        ]),
        patterns: [
          { group: ['**/activities/**', '!**/activities/**/*.types*'], allowTypeImports: true, message: 'Workflows import activities as types only (proxyActivities).' },
          { group: ['pg', 'sharp', 'fastify', '@temporalio/client', '@temporalio/worker'], message: 'Workflows are replayed: no I/O libraries.' },
        ],
      }],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use workflow time via Date only through the Temporal sandbox, not Date.now(); prefer workflow inputs.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use uuid4() from @temporalio/workflow, not Math.random().' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Non-deterministic clock read: pass times as inputs or use activity results.' },
        { selector: "CallExpression[callee.name='setTimeout']", message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { selector: "CallExpression[callee.name='setInterval']", message: 'Use sleep() in a loop from @temporalio/workflow.' },
      ],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'Workflows are replayed: no process access.' },
        { name: 'fetch', message: 'Workflows do no I/O: use an activity.' },
        { name: 'Buffer', message: 'Workflows carry keys, never bytes.' },
      ],
    },
  },
);
