import fs from 'node:fs';
import path from 'node:path';
import { getDialect, prepareDatabase } from '@/db';
import { partialPath, placeFile } from '@/lib/ops/backup';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { type ExportSummary, writeExport } from '@/lib/transfer/export';
import { databaseName, formatBytes, parseCommand, plural, runScript, usage } from './cli';

/*
 * `npm run export -- --out FILE [--full]`: every post and comment as JSON (see lib/transfer/format.ts
 * for the format); with --full, the whole blog, to move it to another database. Without --out the
 * JSON goes to stdout and the summary to stderr: use `npm run -s`, as npm prints its own banner on stdout.
 */

const HELP = {
  usage: 'npm run export -- --out FILE [--full]',
  description: [
    'Writes every post and comment as one JSON file (see docs/operations.md, "Export and import"). Without --out',
    'the JSON goes to stdout: use `npm run -s export`, as npm prints its own banner there.',
    '',
    '  --full   The whole blog, to move it to another database (SQLite to PostgreSQL, or back): adds',
    '           the accounts with their password hashes, the API tokens (their hashes), every setting',
    '           (the signing secret too), the site images and the tags, all with their ids. Sessions stay',
    '           behind: everyone signs in again. The file is written readable by you only; keep it as',
    '           safe as a backup. It imports into a new, empty blog only (docs/operations.md,',
    '           "Moving to PostgreSQL").',
  ].join('\n'),
};

const KEEP_SAFE = "It holds password hashes and the site's secrets: keep it as safe as a backup.";

/** `5 posts and 8 comments`; a full export lists its other rows too. */
function described({ posts, comments, full }: ExportSummary): string {
  if (!full) return `${plural(posts, 'post')} and ${plural(comments, 'comment')}`;
  return [
    plural(posts, 'post'),
    plural(comments, 'comment'),
    plural(full.tags, 'tag'),
    plural(full.users, 'account'),
    plural(full.apiTokens, 'API token'),
    plural(full.settings, 'setting'),
    plural(full.siteAssets, 'site image'),
  ]
    .join(', ')
    .replace(/, ([^,]*)$/, ' and $1');
}

runScript(async () => {
  const { values, positionals } = parseCommand(HELP, {
    out: { type: 'string', short: 'o' },
    full: { type: 'boolean', default: false },
  });
  const options = { full: values.full };
  const out = values.out ?? positionals[0];
  if (positionals.length > (values.out ? 0 : 1)) throw usage(HELP.usage);
  const file = databaseName();
  // Opening a missing file would create an empty blog and export nothing; a typo deserves an error.
  if (getDialect() === 'sqlite' && !fs.existsSync(getEnv().DATABASE_PATH))
    throw new AppError('not_found', `There is no database at ${file} (set DATABASE_PATH).`);
  await prepareDatabase();

  if (out === undefined) {
    const summary = await writeExport((chunk) => process.stdout.write(chunk), options);
    console.error(`Exported ${described(summary)} from ${file}.`);
    if (summary.full) console.error(KEEP_SAFE);
    return;
  }
  const dest = path.resolve(out);
  if (fs.existsSync(dest)) throw new AppError('conflict', `${out} already exists; an export never overwrites a file. Choose another name.`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Written aside and given its name when complete: an interrupted export leaves no truncated file.
  const tmp = partialPath(dest);
  // A full export holds password hashes and the signing secret: readable by its owner only.
  const fd = fs.openSync(tmp, 'wx', values.full ? 0o600 : 0o666);
  try {
    const summary = await writeExport((chunk) => fs.writeSync(fd, chunk), options);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    placeFile(tmp, dest);
    console.log(`Exported ${described(summary)} to ${out} (${formatBytes(fs.statSync(dest).size)}).`);
    if (summary.full) console.log(KEEP_SAFE);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // Closed already.
    }
    fs.rmSync(tmp, { force: true });
  }
});
