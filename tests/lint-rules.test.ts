import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIB_LAYERS } from '../eslint.config.mjs';

/*
 * The custom rules in eslint.config.mjs, run on small pieces of code placed (by filePath; no file is
 * written) where the rules apply. Each rule must fire on its case: a selector naming a function that
 * no longer exists, or a layer left out of LIB_LAYERS, then fails here instead of checking nothing.
 */

/** The rules under test; the type-aware ones (which need the TypeScript project) are left out to keep this fast. */
const RULES = ['no-restricted-imports', 'no-restricted-syntax', 'drizzle/enforce-delete-with-where', 'drizzle/enforce-update-with-where'];

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: process.cwd(),
    // The real config, without the TypeScript project service: none of the rules above needs types.
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => RULES.includes(ruleId),
  });
});

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

const DRIZZLE = `import { getDb, transaction } from '@/db';\nimport { posts } from '@/db/schema';\nimport { eq } from 'drizzle-orm';\n`;

const cases: { name: string; filePath: string; code: string; rule: string; message: string }[] = [
  {
    name: 'a delete without where',
    filePath: 'lib/content/fixture.ts',
    code: `${DRIZZLE}export const f = () => getDb().delete(posts);\n`,
    rule: 'drizzle/enforce-delete-with-where',
    message: 'delete',
  },
  {
    name: 'an update without where',
    filePath: 'lib/content/fixture.ts',
    code: `${DRIZZLE}export const f = () => transaction((tx) => tx.update(posts).set({ title: 'x' }));\n`,
    rule: 'drizzle/enforce-update-with-where',
    message: 'update',
  },
  {
    name: 'a connection not named db',
    filePath: 'lib/content/fixture.ts',
    code: `${DRIZZLE}export const f = () => {\n  const conn = getDb();\n  return conn.delete(posts);\n};\n`,
    rule: 'no-restricted-syntax',
    message: 'Name the connection `db`',
  },
  {
    name: 'a transaction() callback parameter not named tx',
    filePath: 'lib/content/fixture.ts',
    code: `${DRIZZLE}export const f = () => transaction((t) => t.delete(posts));\n`,
    rule: 'no-restricted-syntax',
    message: 'Name the transaction `tx`',
  },
  {
    name: 'a db.transaction callback parameter not named tx',
    filePath: 'db/fixture.ts',
    code: `import { getDb } from '@/db';\nexport const f = () => getDb().transaction(async (t) => t);\n`,
    rule: 'no-restricted-syntax',
    message: 'Name the transaction `tx`',
  },
  {
    name: 'db importing lib',
    filePath: 'db/fixture.ts',
    code: `import { AppError } from '@/lib/errors';\nexport { AppError };\n`,
    rule: 'no-restricted-imports',
    message: 'db/ is the leaf',
  },
  {
    name: 'lib importing components',
    filePath: 'lib/content/fixture.ts',
    code: `import { PostView } from '@/components/post-view';\nexport { PostView };\n`,
    rule: 'no-restricted-imports',
    message: 'lib/ is the domain',
  },
  {
    name: 'lib importing app',
    filePath: 'lib/api/fixture.ts',
    code: `import Page from '@/app/(site)/tags/page';\nexport { Page };\n`,
    rule: 'no-restricted-imports',
    message: 'lib/ is the domain',
  },
  {
    name: 'components importing app',
    filePath: 'components/fixture.tsx',
    code: `import Page from '@/app/(site)/tags/page';\nexport { Page };\n`,
    rule: 'no-restricted-imports',
    message: 'never import a route',
  },
  ...[
    ['lib/cache.ts', '@/server/cache-handler.mjs'],
    ['lib/comments/fixture.ts', '../../server/edge.mjs'],
    ['db/fixture.ts', '@/server/edge.mjs'],
    ['components/fixture.tsx', '@/server/edge.mjs'],
    ['app/fixture.ts', '@/server/edge.mjs'],
    ['instrumentation.ts', '@/server/cache-handler.mjs'],
  ].map(([filePath, from]) => ({
    name: `${filePath} importing server/`,
    filePath: filePath!,
    code: `import * as server from '${from}';\nexport { server };\n`,
    rule: 'no-restricted-imports',
    message: 'server/ is the process around Next',
  })),
  {
    name: 'a relative import between lib folders',
    filePath: 'lib/content/fixture.ts',
    code: `import * as comments from '../comments/reads';\nexport { comments };\n`,
    rule: 'no-restricted-imports',
    message: 'Inside lib/, import with @/',
  },
  ...[
    ['lib/content/fixture.ts', '@/lib/comments/reads'],
    ['lib/comments/fixture.ts', '@/lib/pages/page-data'],
    ['lib/site/fixture.ts', '@/lib/comments/settings'],
    ['lib/schema/fixture.ts', '@/lib/api/registry'],
    ['lib/errors.ts', '@/lib/site/identity'],
    ['lib/http/fixture.ts', '@/lib/auth/sessions'],
    ['lib/ops/fixture.ts', '@/lib/api/endpoints'],
  ].map(([filePath, from]) => ({
    name: `${filePath} importing ${from}, a higher lib folder`,
    filePath: filePath!,
    code: `import * as higher from '${from}';\nexport { higher };\n`,
    rule: 'no-restricted-imports',
    message: 'lib/ flows one way',
  })),
];

describe('the custom lint rules', () => {
  it.each(cases)('flag $name', async ({ filePath, code, rule, message }) => {
    const messages = await lint(filePath, code);
    expect(messages).toContainEqual({ ruleId: rule, message: expect.stringContaining(message) as unknown });
  });

  it('pass code that keeps them', async () => {
    const clean = [
      [
        'lib/comments/fixture.ts',
        `${DRIZZLE}import { getPublishedPost } from '@/lib/content/posts';\nimport { textField } from '@/lib/schema/fields';\nimport { pluralize } from '@/lib/site/format';\n` +
          `export const f = async (id: number) => {\n  const db = getDb();\n  await db.update(posts).set({ title: 'x' }).where(eq(posts.id, id));\n` +
          `  await transaction((tx) => tx.delete(posts).where(eq(posts.id, id)));\n  return [getPublishedPost, textField, pluralize];\n};\n`,
      ],
      // A leaf may use another leaf, even one inside a higher folder (site/format).
      [
        'lib/rate-limit.ts',
        `import { pluralize } from '@/lib/site/format';\nimport { AppError } from '@/lib/errors';\nexport { pluralize, AppError };\n`,
      ],
      [
        'lib/api/fixture.ts',
        `import { ENDPOINTS } from '@/lib/api/endpoints';\nimport { loadPostPage } from '@/lib/pages/page-data';\nexport { ENDPOINTS, loadPostPage };\n`,
      ],
      ['lib/fixture.js', `import { readVariables } from '../db/config.js';\nexport { readVariables };\n`],
      ['server/fixture.mjs', `import { getRedisCache } from '../lib/redis-cache.mjs';\nexport { getRedisCache };\n`],
    ];
    for (const [filePath, code] of clean) expect(await lint(filePath!, code!), filePath).toEqual([]);
  });

  it('give every folder and file of lib/ a layer', () => {
    // A new folder left out of LIB_LAYERS would be checked by no direction rule at all.
    const layered = new Set(LIB_LAYERS.flat());
    const entries = fs.readdirSync('lib').map((entry) => path.parse(entry).name);
    expect(entries.filter((entry) => !layered.has(entry))).toEqual([]);
  });
});
