import fs from 'node:fs';
import { getDialect, openDatabase, prepareDatabase } from '@/db';
import { tags as cacheTags } from '@/lib/cache';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { importData } from '@/lib/ops/export';
import { SharedCacheTags } from '@/lib/shared-cache-tags';
import { databaseName, parseCommand, plural, runScript, usage } from './cli';

/*
 * `npm run import -- FILE [--replace]`: adds the posts and comments of an export (`-` reads
 * stdin), all or nothing. A post whose slug exists stops the import unless --replace is given.
 */

function readJson(source: string): unknown {
  if (source !== '-' && !fs.existsSync(source)) throw new AppError('not_found', `There is no file ${source}.`);
  const text = fs.readFileSync(source === '-' ? 0 : source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_json', `${source} is not JSON (${(error as Error).message}). Is it the output of \`npm run export\`?`);
  }
}

const HELP = {
  usage: 'npm run import -- FILE [--replace]',
  description:
    'Adds the posts and comments of an export (FILE, or - for stdin), all or nothing. A post whose slug\nexists stops the import, unless --replace is given.',
};

runScript(async () => {
  const { values, positionals } = parseCommand(HELP, { replace: { type: 'boolean', default: false } });
  const source = positionals[0];
  if (source === undefined || positionals.length > 1) throw usage(HELP.usage);
  const file = databaseName();
  await prepareDatabase();
  let result;
  try {
    result = await importData(readJson(source), { replace: values.replace });
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation') {
      throw new AppError('validation', `${source}: ${error.message} Nothing was imported.`, { errors: error.errors });
    }
    if (error instanceof AppError && error.code === 'conflict') {
      throw new AppError(
        'conflict',
        `${error.message} Nothing was imported. Run again with --replace to replace them with the posts in ${source}.`,
      );
    }
    throw error;
  }
  // Servers running on this database show the imported posts on their next request, not after their cache's 60 s.
  if (getDialect() === 'sqlite') {
    const { db } = openDatabase(getEnv().DATABASE_PATH);
    try {
      new SharedCacheTags(db).expire([cacheTags.content]);
    } finally {
      db.$client.close();
    }
  }
  const replaced = result.replaced > 0 ? ` (${plural(result.replaced, 'existing post')} replaced)` : '';
  console.log(`Imported ${plural(result.posts, 'post')} and ${plural(result.comments, 'comment')} into ${file}${replaced}.`);
  if (result.unlinkedAuthorComments > 0) {
    console.warn(
      `${plural(result.unlinkedAuthorComments, 'comment')} by the blog's author came without the "Author" mark: this blog has no account ` +
        'with the email they were written with. Create it (npm run admin:create), then import again with --replace to keep the mark.',
    );
  }
});
