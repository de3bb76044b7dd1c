import fs from 'node:fs';
import path from 'node:path';
import { getDialect, prepareDatabase } from '@/db';
import { partialPath, placeFile } from '@/lib/ops/backup';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { writeExport } from '@/lib/ops/export';
import { databaseName, formatBytes, parseCommand, plural, runScript, usage } from './cli';

/*
 * `npm run export -- --out FILE`: every post and comment as JSON (see lib/ops/export.ts for the
 * format). Without --out the JSON goes to stdout and the summary to stderr: use `npm run -s`,
 * as npm prints its own banner on stdout.
 */

const HELP = {
  usage: 'npm run export -- --out FILE',
  description:
    'Writes every post and comment as one JSON file (see docs/operations.md, "Export and import"). Without --out\nthe JSON goes to stdout: use `npm run -s export`, as npm prints its own banner there.',
};

runScript(async () => {
  const { values, positionals } = parseCommand(HELP, { out: { type: 'string', short: 'o' } });
  const out = values.out ?? positionals[0];
  if (positionals.length > (values.out ? 0 : 1)) throw usage(HELP.usage);
  const file = databaseName();
  // Opening a missing file would create an empty blog and export nothing; a typo deserves an error.
  if (getDialect() === 'sqlite' && !fs.existsSync(getEnv().DATABASE_PATH))
    throw new AppError('not_found', `There is no database at ${file} (set DATABASE_PATH).`);
  await prepareDatabase();

  if (out === undefined) {
    const summary = await writeExport((chunk) => process.stdout.write(chunk));
    console.error(`Exported ${plural(summary.posts, 'post')} and ${plural(summary.comments, 'comment')} from ${file}.`);
    return;
  }
  const dest = path.resolve(out);
  if (fs.existsSync(dest)) throw new AppError('conflict', `${out} already exists; an export never overwrites a file. Choose another name.`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Written aside and given its name when complete: an interrupted export leaves no truncated file.
  const tmp = partialPath(dest);
  const fd = fs.openSync(tmp, 'wx');
  try {
    const summary = await writeExport((chunk) => fs.writeSync(fd, chunk));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    placeFile(tmp, dest);
    console.log(
      `Exported ${plural(summary.posts, 'post')} and ${plural(summary.comments, 'comment')} to ${out} (${formatBytes(fs.statSync(dest).size)}).`,
    );
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // Closed already.
    }
    fs.rmSync(tmp, { force: true });
  }
});
