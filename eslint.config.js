// Typed lint for the whole project. Workflows get extra rules: Temporal replays
// them, so they must not touch Node built-ins, the clock or randomness directly.
// SQL lives in platform/stores/ only. (Who may import whom: .dependency-cruiser.cjs.)
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

/**
 * A SQL statement in a string or template literal (a template's `${…}` parts count as a value, so
 * `SELECT ${columns} FROM` is found too). Upper-case keywords only, as the project writes SQL, so
 * prose such as "select a photo from the gallery" is not mistaken for a query.
 */
const sqlStatement = /\bSELECT\b[\s\S]*?\bFROM\b|\bINSERT\s+INTO\s+[\w."]+|\bUPDATE\s+[\w."]+\s+SET\b|\bDELETE\s+FROM\s+[\w."]+/;

/** @type {import('eslint').Rule.RuleModule} */
const noSqlOutsideStores = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL only in platform/stores/ (and migrations/, test/, bench/)' },
    messages: { sql: 'SQL belongs in platform/stores/: move "{{statement}}" into a store function and call that.' },
    schema: [],
  },
  create(context) {
    /** @param {import('estree').Node} node @param {string} text */
    const check = (node, text) => {
      const found = sqlStatement.exec(text);
      if (found !== null) context.report({ node, messageId: 'sql', data: { statement: found[0].replace(/\s+/g, ' ').slice(0, 80) } });
    };
    return {
      Literal: (node) => { if (typeof node.value === 'string') check(node, node.value); },
      TemplateLiteral: (node) => check(node, node.quasis.map((quasi) => quasi.value.cooked ?? quasi.value.raw).join(' ? ')),
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'coverage/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', '.dependency-cruiser.cjs', 'scripts/lib/failure-summary-reporter.js'] }, tsconfigRootDir: import.meta.dirname },
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
    // Every query is a function in platform/stores/; migrations are SQL files; tests and benchmarks
    // may look into the database directly.
    ignores: ['platform/stores/**', 'migrations/**', 'test/**', 'bench/**'],
    plugins: { project: { rules: { 'no-sql-outside-stores': noSqlOutsideStores } } },
    rules: { 'project/no-sql-outside-stores': 'error' },
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
