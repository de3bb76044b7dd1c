import { restoreDatabase } from '@/lib/ops/backup';
import { getEnv } from '@/lib/env';
import { parseCommand, plural, requireSqlite, runScript, shownPath, usage } from './cli';

/*
 * `npm run db:restore -- FILE`: replaces the database with a backup. Refuses while a server has
 * the database open; keeps the current database in backups/ first, so a restore can be undone.
 */

const HELP = {
  usage: 'npm run db:restore -- FILE',
  description:
    'Replaces the database with the backup FILE, after checking it. Stop the server first. The database as it\nwas is kept in backups/ so the restore can be undone.',
};

runScript(async () => {
  const { positionals } = parseCommand(HELP, {});
  const from = positionals[0];
  if (from === undefined || positionals.length > 1) throw usage(`${HELP.usage}   (e.g. data/backups/quire-2026-11-22T05-00-00Z.db)`);
  requireSqlite('npm run db:restore');
  const file = getEnv().DATABASE_PATH;
  const { restored, migrated, safetyCopy } = await restoreDatabase({ file, from });
  console.log(
    `Restored ${file} from ${from}: ${plural(restored.posts, 'post')}, ${plural(restored.comments, 'comment')}, ${plural(restored.users, 'account')}.`,
  );
  if (migrated > 0) console.log(`The backup predates this version of Quire: applied ${plural(migrated, 'migration')}.`);
  if (safetyCopy) {
    const kept = shownPath(safetyCopy);
    console.log(`The database as it was is kept in ${kept}; to undo: npm run db:restore -- ${kept}`);
  }
});
