import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
// With an extension, as Vite's config loader asks; it resolves to the .ts file.
import { postgresSkipReason } from './tests/postgres-server.js';

const TESTS = ['tests/**/*.test.ts'];

/*
 * Files the postgres project leaves out; everything else runs on both databases. A part of a file
 * that makes sense on one database only says so with onlyOn (tests/dialect.ts).
 */
const SQLITE_ONLY = [
  // Cache-tag expiry shared through one SQLite file by two connections (data_version).
  'tests/shared-cache.test.ts',
  // `next build` gets an in-memory SQLite database whatever the configuration, and must leave no file behind.
  'tests/build-phase.test.ts',
  // A stand-in server on a SQLite file it is given; checks the WAL is checkpointed on SIGTERM.
  'tests/graceful-shutdown.test.ts',
  // The address admin:create prints, from runs on SQLite files of their own: nothing in it depends on the database.
  'tests/admin-create.test.ts',
];
/**
 * No database in them (or none reached): one run is enough. Not moderation.test.ts (signing a form token
 * creates the site's secret in settings) nor api-no-token.test.ts (a bearer token is looked up first).
 */
const DIALECT_INDEPENDENT = [
  'tests/abort-reasons.test.ts',
  'tests/api-definitions.test.ts', // route files, OpenAPI and the docs' table; OPTIONS and 405 answer before any query
  'tests/cache-keys.test.ts',
  'tests/client-imports.test.ts', // reads source files only
  'tests/docs-links.test.ts',
  'tests/edge.test.ts',
  'tests/lint-rules.test.ts', // ESLint on pieces of code: no database
  'tests/markdown.test.ts',
  'tests/next-internals.test.ts', // Next's modules that server/cache-handler.mjs uses: no database
  'tests/not-found-cache.test.ts', // Next's cache handler in memory: no database
  'tests/rate-limit-message.test.ts',
  'tests/redis-cache.test.ts', // Next's cache in Redis: no database
  'tests/schema-parity.test.ts', // the two Drizzle schemas, as declared
  'tests/search-params.test.ts',
  'tests/slug-and-cursor.test.ts',
  'tests/worker-pool.test.ts',
  'tests/workers.test.ts',
];

export default defineConfig({
  resolve: {
    tsconfigPaths: true,
    // The marker throws outside React's server condition; tests are the server, so it is a no-op here.
    alias: { 'server-only': fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url)) },
  },
  test: {
    // Each test file runs in its own process with its own database.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'sqlite', include: TESTS, setupFiles: ['tests/setup.ts'] } },
      ...(postgresSkipReason
        ? (console.warn(`Vitest: skipping the postgres project: ${postgresSkipReason}`), [])
        : [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: TESTS,
                exclude: [...configDefaults.exclude, ...SQLITE_ONLY, ...DIALECT_INDEPENDENT],
                // One throw-away server for the run; each test file gets a new database on it.
                globalSetup: ['tests/postgres-global-setup.ts'],
                setupFiles: ['tests/setup.ts', 'tests/postgres-setup.ts'],
              },
            },
          ]),
    ],
  },
});
