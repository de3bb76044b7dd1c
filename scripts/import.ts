import fs from 'node:fs';
import { prepareDatabase } from '@/db';
import { tags as cacheTags } from '@/lib/cache';
import { AppError } from '@/lib/errors';
import { isFullExport } from '@/lib/transfer/format';
import { type ImportResult, importData } from '@/lib/transfer/import';
import { expireInRunningServers } from '@/lib/shared-cache-tags';
import { databaseName, parseCommand, plural, runScript, usage } from './cli';

/*
 * `npm run import -- FILE [--replace]`: adds the posts and comments of an export (`-` reads
 * stdin), all or nothing. A post whose slug exists stops the import unless --replace is given.
 * A full export (`npm run export -- --full`) goes into a new, empty blog and keeps every id.
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
  usage: 'npm run import -- FILE [--replace | --full]',
  description: [
    'Adds the posts and comments of an export (FILE, or - for stdin), all or nothing. A post whose slug',
    'exists stops the import, unless --replace is given.',
    '',
    'A full export (npm run export -- --full) moves a whole blog: it goes into a new, empty database',
    '(a new DATABASE_PATH, or a newly created PostgreSQL database in DATABASE_URL) and keeps every id,',
    'account, API token, setting and site image. Sessions stay behind: everyone signs in again.',
    '',
    '  --replace   Replace the posts whose slug exists here with those in the file.',
    '  --full      Refuse a file that is not a full export (a full export is imported whole anyway).',
  ].join('\n'),
};

function report(result: ImportResult, file: string): void {
  const { full } = result;
  if (full) {
    const rows = [
      plural(result.posts, 'post'),
      plural(result.comments, 'comment'),
      plural(full.tags, 'tag'),
      plural(full.users, 'account'),
      plural(full.apiTokens, 'API token'),
      plural(full.settings, 'setting'),
      plural(full.siteAssets, 'site image'),
    ];
    console.log(`Imported the whole blog into ${file}: ${rows.slice(0, -1).join(', ')} and ${rows.at(-1)}, every id kept.`);
    console.log(
      'Sessions were not exported: everyone signs in again. Start Quire on this database now (restart it if it runs: it keeps the signing secret it read).',
    );
    return;
  }
  const replaced = result.replaced > 0 ? ` (${plural(result.replaced, 'existing post')} replaced)` : '';
  console.log(`Imported ${plural(result.posts, 'post')} and ${plural(result.comments, 'comment')} into ${file}${replaced}.`);
  if (result.unlinkedAuthorComments > 0) {
    console.warn(
      `${plural(result.unlinkedAuthorComments, 'comment')} by the blog's author came without the "Author" mark: this blog has no account ` +
        'with the email they were written with. Create it (npm run admin:create), then import again with --replace to keep the mark.',
    );
  }
}

runScript(async () => {
  const { values, positionals } = parseCommand(HELP, {
    replace: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
  });
  const source = positionals[0];
  if (source === undefined || positionals.length > 1) throw usage(HELP.usage);
  const file = databaseName();
  // The file first: a mistake in it must not make a database (a new SQLite file) on the way.
  const input = readJson(source);
  if (values.full && !isFullExport(input)) {
    throw new AppError(
      'bad_request',
      `${source} holds posts and comments only, not a whole blog. Make a full export with npm run export -- --full. Nothing was imported.`,
    );
  }
  await prepareDatabase();
  let result;
  try {
    result = await importData(input, { replace: values.replace });
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation') {
      throw new AppError('validation', `${source}: ${error.message} Nothing was imported.`, { errors: error.errors });
    }
    if (error instanceof AppError && error.code === 'conflict') {
      // Slugs that exist can be replaced; a full export only goes into a new blog.
      const next = isFullExport(input) ? '' : ` Run again with --replace to replace them with the posts in ${source}.`;
      throw new AppError('conflict', `${error.message} Nothing was imported.${next}`);
    }
    throw error;
  }
  // Servers running on this database show the import on their next request, not after their cache's 60 s.
  await expireInRunningServers([cacheTags.content]);
  report(result, file);
});
