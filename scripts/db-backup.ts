import { backupDatabase } from '@/lib/ops/backup';
import { getEnv } from '@/lib/env';
import { formatBytes, parseCommand, plural, requireSqlite, runScript, shownPath, usage } from './cli';

/*
 * `npm run db:backup [-- FILE | --out FILE]`: a consistent copy of the live database, safe to
 * take while the server runs. By default `backups/<name>-<UTC time>.db` beside the database.
 */

const HELP = {
  usage: 'npm run db:backup [-- --out FILE]',
  description:
    'Copies the live database consistently, also while the server runs, to FILE or to\nbackups/<name>-<UTC time>.db beside it, and checks the copy. It never overwrites a file.',
};

runScript(async () => {
  const { values, positionals } = parseCommand(HELP, { out: { type: 'string', short: 'o' } });
  if (positionals.length > 1 || (values.out && positionals.length > 0)) throw usage(HELP.usage);
  requireSqlite('npm run db:backup');
  const file = getEnv().DATABASE_PATH;
  const backup = await backupDatabase({ file, out: values.out ?? positionals[0] });
  console.log(`Backed up ${file} to ${shownPath(backup.file)} (${formatBytes(backup.bytes)}).`);
  console.log(
    `It holds ${plural(backup.posts, 'post')}, ${plural(backup.comments, 'comment')} and ${plural(backup.users, 'account')} ` +
      `at migration ${backup.migrations}; SQLite's integrity check: ok.`,
  );
});
