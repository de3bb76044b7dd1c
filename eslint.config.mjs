import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import drizzle from 'eslint-plugin-drizzle';

/** The names under which code reaches Drizzle (see no-restricted-syntax below). */
const DRIZZLE_NAMES = ['db', 'tx', 'getDb'];

/** Forbids files matching `files` to import from the folders in `above` (with @/ or a relative path). */
const layer = (files, above, message) => ({
  files: [files],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: `^(@/|(\\.\\./)+)(${above.join('|')})(/|$)`, message }] }],
  },
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
            ":matches(CallExpression[callee.name='writeTransaction'], CallExpression[callee.property.name='transaction'][callee.object.name='db'], CallExpression[callee.property.name='transaction'][callee.object.callee.name='getDb']) > :function > Identifier.params[name!='tx']",
          message: 'Name the transaction `tx`: the Drizzle lint rules only see the names db, tx and getDb().',
        },
      ],
    },
  },
  // Data flows one way, app -> components -> lib -> db: each layer imports only the layers below it.
  layer('db/**', ['lib', 'components', 'app'], 'db/ is the leaf: it owns the connection and transactions and imports nothing of ours.'),
  layer('lib/**', ['components', 'app'], 'lib/ is the domain: components and routes call it, never the other way round.'),
  layer('components/**', ['app'], 'Components get their data as props from app/; they never import a route.'),
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
