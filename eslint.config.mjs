import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import drizzle from 'eslint-plugin-drizzle';

/** The names under which code reaches Drizzle (see no-restricted-syntax below). */
const DRIZZLE_NAMES = ['db', 'tx', 'getDb'];

/**
 * lib/'s layers, bottom first: a module may import its own layer and the ones below, never one above.
 * An entry is a folder or a file of lib/; a file inside a folder (site/format) is a leaf that other
 * leaves use, and belongs to the layer named, not to its folder's.
 */
export const LIB_LAYERS = [
  // Leaves: the schema vocabulary, errors, configuration, the cache and the settings store.
  [
    'bytes',
    'errors',
    'slug',
    'pagination',
    'env',
    'cache',
    'redis-cache',
    'shared-cache-tags',
    'rate-limit',
    'settings-store',
    'schema',
    'time-zone',
    'site/format',
  ],
  ['media', 'render', 'http'],
  ['site', 'auth'],
  ['content'],
  ['comments'],
  // Above both content and comments: what the public pages show; backup and demo content; export and import.
  ['pages', 'ops', 'transfer'],
  // The top: endpoint definitions, the wrapper and OpenAPI.
  ['api'],
];

/** A pattern matching an import (with @/ or a path up to the root) of a folder or file of ours. */
const importOf = (paths, message) => ({ regex: `^(@/|(\\.\\./)+)(${paths.join('|')})(/|\\.|$)`, message });

/** What no file under lib/, db/, components/ or app/ may import: server/ is the process around Next. */
const SERVER = importOf(['server'], 'server/ is the process around Next: it imports lib/ and db/ (plain .mjs), never the other way round.');

/** Forbids files matching `files` to import from the folders in `above` (with @/ or a relative path). */
const layer = (files, above, message, extra = []) => ({
  files: [files],
  rules: { 'no-restricted-imports': ['error', { patterns: [importOf(above, message), ...extra] }] },
});

const LIB_ABOVE = ['components', 'app'];

/** The rules read an import's path; `../comments` from lib/content/ would hide that it points up. */
const LIB_RELATIVE = {
  regex: '^\\.\\./(?!db/)',
  message: 'Inside lib/, import with @/ (plain JavaScript may reach ../db/): the layer rules read the path.',
};
const LIB_MESSAGE = 'lib/ is the domain: components and routes call it, never the other way round.';

/** A file entry (site/format) lives in a folder but belongs to the layer that names it. */
const LEAF_FILES = LIB_LAYERS.flat().filter((entry) => entry.includes('/'));
const filesIn = (folder) => LEAF_FILES.filter((file) => file.startsWith(`${folder}/`));

/** One config per lib layer but the top: it may not import the entries above it (a folder less the leaf files in it). */
const libDirection = LIB_LAYERS.slice(0, -1).map((entries, index) => {
  const higher = LIB_LAYERS.slice(index + 1).flat();
  const except = (folder) =>
    filesIn(folder)
      .map((file) => `(?!${file.slice(folder.length)}(\\.|$))`)
      .join('');
  const upward = importOf(
    higher.map((entry) => `lib/${entry}${except(entry)}`),
    `lib/ flows one way (LIB_LAYERS in eslint.config.mjs): ${entries.join(', ')} may not import ${higher.join(', ')}.`,
  );
  return {
    files: entries.map((entry) => `lib/${entry}{.*,/**}`),
    ignores: entries
      .flatMap(filesIn)
      .filter((file) => !entries.includes(file))
      .map((file) => `lib/${file}.*`),
    rules: { 'no-restricted-imports': ['error', { patterns: [importOf(LIB_ABOVE, LIB_MESSAGE), SERVER, LIB_RELATIVE, upward] }] },
  };
});

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    plugins: { drizzle },
    rules: {
      // A delete or update without a where clause empties a table; the rule makes that a lint error.
      // It matches names, not types: Drizzle is reached as getDb(), a `db` variable or property, or a `tx`.
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: DRIZZLE_NAMES }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: DRIZZLE_NAMES }],
      // ...so no other name may hold one, or the two rules above would not see its writes.
      'no-restricted-syntax': [
        'error',
        {
          selector: "VariableDeclarator[init.type='CallExpression'][init.callee.name='getDb'][id.name!='db']",
          message: 'Name the connection `db` (const db = getDb()): the Drizzle lint rules only see the names db, tx and getDb().',
        },
        {
          selector:
            ":matches(CallExpression[callee.name='transaction'], CallExpression[callee.property.name='transaction'][callee.object.name='db'], CallExpression[callee.property.name='transaction'][callee.object.callee.name='getDb']) > :function > Identifier.params[name!='tx']",
          message: 'Name the transaction `tx`: the Drizzle lint rules only see the names db, tx and getDb().',
        },
      ],
    },
  },
  // Data flows one way, server -> app -> components -> lib -> db: each layer imports only the layers below it.
  layer('db/**', ['lib', 'components', 'app'], 'db/ is the leaf: it owns the connection and transactions and imports nothing of ours.', [
    SERVER,
  ]),
  layer('lib/**', LIB_ABOVE, LIB_MESSAGE, [SERVER, LIB_RELATIVE]),
  ...libDirection,
  layer('components/**', ['app'], 'Components get their data as props from app/; they never import a route.', [SERVER]),
  { files: ['app/**', '*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [SERVER] }] } },
  {
    // Rules that need the types: a promise nobody awaits, or one passed where a plain callback is expected,
    // loses its errors (an unhandled rejection, a write acknowledged before it happened).
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // Playwright fixtures call a function named `use`; it is not React's hook.
    files: ['e2e/**'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  globalIgnores(['.next*/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'db/*/migrations/**']),
]);
