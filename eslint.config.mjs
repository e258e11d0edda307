// ESLint for the whole tree: typescript-eslint's type-aware rules, import-x for
// cycles, dependencies and the layer boundaries of src/ (docs/decisions/0010-lint-and-layers.md).
// Run with `npx eslint --max-warnings 0 .`; prettier owns formatting, so eslint-config-prettier comes last.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

// ---------------------------------------------------------------------------
// Layers of src/. Each entry lists what a folder (or file) must NOT import; the
// rule is `import-x/no-restricted-paths`, which resolves the import to a file,
// so `../x`, `./x/index.ts` and dynamic `import()` are all caught.
// Paths are relative to the repository root. `except` entries are relative to `from`.

/** The store implementations; only store/open-store.ts (and store's entry file) may open them. */
const STORE_IMPLEMENTATIONS = ['src/store/sqlite', 'src/store/postgres'];
/** Everything in store/ that is not the Store interface or its shared helpers. */
const STORE_NOT_INTERFACE = [...STORE_IMPLEMENTATIONS, 'src/store/open-store.ts', 'src/store/contract', 'src/store/index.ts'];

const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });

const layerZones = [
  // model/: the vocabulary; imports nothing else from src/.
  zone(
    'src/model',
    ['src/orchestration', 'src/store', 'src/client', 'src/worker', 'src/runtime', 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'model/ imports nothing from src/ outside model/.',
  ),

  // orchestration/: the replay engine; only model/.
  zone(
    'src/orchestration',
    ['src/store', 'src/client', 'src/worker', 'src/runtime', 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'orchestration/ may import only model/ and orchestration/.',
  ),

  // store/: model/ and store/ only.
  zone(
    'src/store',
    ['src/orchestration', 'src/client', 'src/worker', 'src/runtime', 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'store/ may import only model/ and store/.',
  ),
  // Inside store/, only open-store.ts (and the entry file) opens an implementation, and the two never import each other.
  zone(
    ['src/store/!(open-store|index).ts', 'src/store/!(sqlite|postgres)/**'],
    STORE_IMPLEMENTATIONS,
    'Only store/open-store.ts opens a store implementation; depend on the Store interface in store/store.ts.',
  ),
  zone(
    'src/store/sqlite',
    ['src/store/postgres', 'src/store/open-store.ts'],
    'The SQLite store depends on neither the PostgreSQL store nor open-store.ts.',
  ),
  zone(
    'src/store/postgres',
    ['src/store/sqlite', 'src/store/open-store.ts'],
    'The PostgreSQL store depends on neither the SQLite store nor open-store.ts.',
  ),

  // client/: model/, orchestration/, the Store interface, runtime/clock.ts and runtime/logger.ts,
  // and the worker's two ports as types only (the type-only part is checked by no-restricted-imports below).
  zone(
    'src/client',
    [...STORE_NOT_INTERFACE, 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'client/ depends on the Store interface only, never on http/, cli/, testing/ or a store implementation.',
  ),
  zone('src/client', 'src/runtime', 'client/ may import only runtime/clock.ts and runtime/logger.ts from runtime/.', [
    './clock.ts',
    './logger.ts',
  ]),
  zone('src/client', 'src/worker', "client/ may import only the worker's ports (start-handoff.ts, completion-notifier.ts), as types.", [
    './start-handoff.ts',
    './completion-notifier.ts',
  ]),

  // worker/: model/, orchestration/, the Store interface, runtime/ except host.ts. client/ only as types (below).
  zone(
    'src/worker',
    [...STORE_NOT_INTERFACE, 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'worker/ depends on the Store interface only, never on http/, cli/, testing/ or a store implementation.',
  ),
  zone('src/worker', 'src/runtime/host.ts', 'runtime/host.ts wires the workers; worker/ must not import it back.'),

  // runtime/: clock.ts, logger.ts and host-options.ts are leaves (model/ only); app.ts knows client/ only as types;
  // host.ts wires client/, worker/ and store/open-store.ts together.
  zone(
    ['src/runtime/clock.ts', 'src/runtime/logger.ts', 'src/runtime/host-options.ts'],
    ['src/orchestration', 'src/store', 'src/client', 'src/worker', 'src/runtime', 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'runtime/clock.ts, runtime/logger.ts and runtime/host-options.ts import nothing from src/ outside model/.',
  ),
  zone(
    'src/runtime/app.ts',
    ['src/store', 'src/worker', 'src/runtime/host.ts', 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'runtime/app.ts holds the function registry: model/, orchestration/ and client/ types only.',
  ),
  zone(
    'src/runtime',
    [...STORE_IMPLEMENTATIONS, 'src/store/contract', 'src/store/index.ts', 'src/http', 'src/cli', 'src/testing', 'src/index.ts'],
    'runtime/ opens stores through store/open-store.ts and never imports http/, cli/ or testing/.',
  ),

  // http/: runtime/, client/, model/, orchestration/ (and the Store interface); not worker/, cli/, testing/, store implementations.
  zone(
    'src/http',
    [...STORE_NOT_INTERFACE, 'src/worker', 'src/cli', 'src/testing', 'src/index.ts'],
    'http/ talks to the host and the client, never to worker/, cli/, testing/ or a store implementation.',
  ),

  // azure-functions/, durable-functions/: the compatibility modules, at the level of http/ and cli/ (they use runtime/,
  // client/ and http/ types); durable-functions/ builds on azure-functions/ as the real packages do. Nothing below imports them.
  zone(
    ['src/azure-functions', 'src/durable-functions'],
    [...STORE_NOT_INTERFACE, 'src/worker', 'src/cli', 'src/testing', 'src/index.ts'],
    'The compatibility modules use runtime/, client/ and http/, never worker/, cli/, testing/ or a store implementation.',
  ),
  zone('src/azure-functions', 'src/durable-functions', 'azure-functions/ (@azure/functions) must not depend on durable-functions/.'),
  zone(
    ['src/model', 'src/orchestration', 'src/store', 'src/client', 'src/worker', 'src/runtime', 'src/http', 'src/testing'],
    ['src/azure-functions', 'src/durable-functions'],
    'Only cli/ and the entry points may import the compatibility modules.',
  ),

  // dashboard/: the web dashboard's server side, at the level of http/ (it uses http/'s key checks); only
  // http/create-http-app.ts wires it, and its browser modules (dashboard/public/) talk to the management API.
  zone(
    'src/dashboard',
    [...STORE_NOT_INTERFACE, 'src/worker', 'src/cli', 'src/testing', 'src/index.ts', 'src/azure-functions', 'src/durable-functions'],
    'dashboard/ uses runtime/, client/ and http/, never worker/, cli/, testing/ or a store implementation.',
  ),
  zone(
    [
      'src/model',
      'src/orchestration',
      'src/store',
      'src/client',
      'src/worker',
      'src/runtime',
      'src/cli',
      'src/testing',
      'src/azure-functions',
      'src/durable-functions',
      'src/http/!(create-http-app).ts',
    ],
    'src/dashboard',
    'Only http/create-http-app.ts wires the dashboard; nothing else imports it.',
  ),

  // cli/: anything except store implementations and worker/ internals.
  zone(
    'src/cli',
    [...STORE_IMPLEMENTATIONS, 'src/worker', 'src/testing', 'src/index.ts'],
    'cli/ goes through runtime/host.ts, not worker/ or a store implementation.',
  ),

  // testing/ (test helpers for users): the public layers, not cli/, http/ or a store implementation.
  zone(
    'src/testing',
    [...STORE_IMPLEMENTATIONS, 'src/http', 'src/cli', 'src/index.ts'],
    'testing/ builds on the host and client, not on http/, cli/ or a store implementation.',
  ),
];

// Entry files (src/index.ts, src/*/index.ts) are the public surface and may re-export anything, except:
const entryZones = [
  zone('src/index.ts', 'src/http', "The main entry must not load http/: hono stays out of 'perdure' (HTTP is 'perdure/http')."),
  zone('src/index.ts', 'src/cli', 'The main entry must not load cli/.'),
  zone(['src/index.ts', 'src/!(store)/index.ts'], STORE_IMPLEMENTATIONS, 'Only store/ opens a store implementation.'),
  zone('src/!(cli)/index.ts', 'src/cli', 'Nothing outside cli/ imports cli/.'),
];

const ENTRY_FILES = ['src/index.ts', 'src/*/index.ts'];

// Packages that belong to one layer. Static imports and re-exports (subpaths too) are checked by core
// no-restricted-imports, dynamic import() by no-restricted-syntax. One block per home folder, because a later
// block replaces an earlier block's options for the same rule.
const PACKAGE_HOMES = {
  hono: 'src/http',
  '@hono/node-server': 'src/http',
  'better-sqlite3': 'src/store/sqlite',
  pg: 'src/store/postgres',
};
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// esquery ends a regex at the first '/', so selectors spell it \u002F.
const selectorRegex = (text) => escapeRegex(text).replaceAll('/', '\\u002F');
const packageMessage = (name) => `'${name}' may be imported only in ${PACKAGE_HOMES[name]}/.`;
const packageRules = (banned) => ({
  'no-restricted-imports': [
    'error',
    { patterns: banned.map((name) => ({ regex: `^${escapeRegex(name)}(/.*)?$`, message: packageMessage(name) })) },
  ],
  'no-restricted-syntax': [
    'error',
    ...banned.map((name) => ({
      selector: `ImportExpression[source.value=/^${selectorRegex(name)}(\\u002F.*)?$/]`,
      message: packageMessage(name),
    })),
  ],
});
const packageBlocks = [
  { name: 'perdure/packages-belong-to-one-layer', files: ['src/**/*.ts'], rules: packageRules(Object.keys(PACKAGE_HOMES)) },
  ...[...new Set(Object.values(PACKAGE_HOMES))].map((home) => ({
    name: `perdure/packages-belong-to-one-layer/${home}`,
    files: [`${home}/**/*.ts`],
    rules: packageRules(Object.keys(PACKAGE_HOMES).filter((name) => PACKAGE_HOMES[name] !== home)),
  })),
];

// Type-only dependencies between layers (@typescript-eslint/no-restricted-imports with allowTypeImports).
const typeOnly = (files, folder, message) => ({
  name: `perdure/type-only/${folder}`,
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: `(^|/)${folder}/`, allowTypeImports: true, message }] }],
  },
});

export default tseslint.config(
  { name: 'perdure/ignores', ignores: ['dist/', 'node_modules/', 'bench/results/', 'test/fixtures/'] },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    name: 'perdure/base',
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import with explicit `.ts` extensions (allowImportingTsExtensions); the TypeScript resolver follows tsconfig.json.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json`, alwaysTryTypes: true })],
    },
    rules: {
      // node:test's describe() and it() return promises that the runner itself awaits; everything else must be handled.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `const { output: _output, ...rest } = row` is how this code drops fields from a copy; the named sibling is not a leftover.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Off: every finding was an `async` method implementing a Promise-returning interface over synchronous code
      // (the SQLite store, bench and test stubs, an example activity). `async` is what turns a synchronous throw into
      // the rejected promise callers of the interface expect; removing it would change behaviour.
      '@typescript-eslint/require-await': 'off',
      // Passing on a reason we were handed (another promise's rejection, AbortSignal.reason) is correct; rejecting
      // with a literal or a non-Error object is still an error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // With verbatimModuleSyntax, `import { type A } from 'x'` still loads 'x' at run time; a type-only
      // dependency between layers (client -> worker ports) must be `import type`, which is erased.
      '@typescript-eslint/no-import-type-side-effects': 'error',

      'import-x/no-duplicates': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: true }],
    },
  },

  // src/ is what users install: runtime imports only from `dependencies`. The optional peers (pg, tsx) are
  // absent from most installs, so each may be imported only where it is loaded on demand (next two blocks).
  {
    name: 'perdure/src',
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, peerDependencies: false }],
    },
  },
  // `pg` is an optional peer: only the PostgreSQL store loads it (open-store.ts imports that store dynamically).
  {
    name: 'perdure/src/store/postgres',
    files: ['src/store/postgres/**/*.ts'],
    rules: { 'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, peerDependencies: false, whitelist: ['pg'] }] },
  },
  // `@opentelemetry/api` is an optional peer: only runtime/tracing.ts loads it, by a dynamic import that may fail.
  {
    name: 'perdure/src/runtime/tracing',
    files: ['src/runtime/tracing.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: false, peerDependencies: false, whitelist: ['@opentelemetry/api'] },
      ],
    },
  },
  // `tsx` is an optional peer: the CLI may load it to run a user's TypeScript app.
  {
    name: 'perdure/src/cli',
    files: ['src/cli/**/*.ts'],
    rules: { 'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, peerDependencies: false, whitelist: ['tsx'] }] },
  },

  // Layer boundaries.
  {
    name: 'perdure/layers',
    files: ['src/**/*.ts'],
    ignores: ENTRY_FILES,
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }] },
  },
  {
    name: 'perdure/layers/entry-files',
    files: ENTRY_FILES,
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: entryZones }] },
  },
  ...packageBlocks,
  typeOnly(['src/client/**/*.ts'], 'worker', "client/ may import the worker's ports only as types (import type)."),
  typeOnly(['src/worker/**/*.ts'], 'client', 'worker/ may import client/ only as types (import type).'),
  typeOnly(['src/runtime/app.ts'], 'client', 'runtime/app.ts may import client/ only as types (import type).'),

  // Tests read the HTTP API's JSON answers as `any` on purpose (test/helpers/http-client.ts) and assert on
  // them field by field; typing every response would only restate the assertion. About 230 no-unsafe-*
  // findings, all of that kind. The chaos probes use the same helpers the same way. Source, examples and
  // benchmarks keep these rules.
  {
    name: 'perdure/tests',
    files: ['test/**/*.ts', '**/*.test.ts', 'chaos/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // Plain JavaScript (scripts/*.mjs, this file): no type information, Node's globals.
  {
    name: 'perdure/javascript',
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'Buffer',
          'URL',
          'URLSearchParams',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'fetch',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },

  // The dashboard's browser modules (bundled into one script by src/dashboard/bundle.ts, no build tool): browser
  // globals, and imports of the vendor files by the URL they have in the bundle's module graph.
  {
    name: 'perdure/dashboard-browser',
    files: ['src/dashboard/public/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'performance', 'URL', 'URLSearchParams', 'Blob', 'setTimeout', 'clearTimeout', 'console'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
    rules: { 'import-x/no-unresolved': 'off' },
  },

  prettier,
);
