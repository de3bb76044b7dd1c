import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { openDatabase } from '@/db';
import { AppError } from '@/lib/errors';

/*
 * Backups and restores of the SQLite file. Both go through SQLite (the online backup API), never
 * through a plain file copy, which could catch a half-written page or miss commits still in the
 * -wal file. Finished files appear under their name at once (written aside, then linked or
 * renamed), so an interrupted run never leaves a truncated backup or database behind.
 */

export interface DatabaseStats {
  posts: number;
  comments: number;
  users: number;
  /** Migrations applied to the file. */
  migrations: number;
  bytes: number;
}

export interface BackupResult extends DatabaseStats {
  file: string;
}

export interface RestoreResult {
  /** What the backup held, before pending migrations were applied. */
  restored: DatabaseStats;
  /** Migrations applied after the restore because the backup was older than this version of Quire. */
  migrated: number;
  /** The database as it was before the restore, when there was one. */
  safetyCopy?: string;
}

/** Copy every page in one step: one read transaction, so the copy is one consistent moment. */
const ALL_PAGES = 0x7fffffff;

/** Owner only: backups and safety copies hold password hashes and the site's signing secret. */
const PRIVATE = 0o600;

const MIGRATIONS_JOURNAL = path.join(process.cwd(), 'db', 'sqlite', 'migrations', 'meta', '_journal.json');

const errorCode = (error: unknown) => (error instanceof Error && 'code' in error ? String(error.code) : undefined);

/** Where backups go by default: `backups/` beside the database, named after it and the UTC time. */
export function defaultBackupPath(databaseFile: string, now = new Date(), label = ''): string {
  const absolute = path.resolve(databaseFile);
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const name = path.basename(absolute, path.extname(absolute));
  return path.join(path.dirname(absolute), 'backups', `${name}${label}-${stamp}.db`);
}

/**
 * Gives a finished file its final name without ever replacing a file: a hard link fails when the
 * name is taken. With `unique`, a taken name becomes `name-2.db`, `name-3.db` ... instead.
 */
export function placeFile(tmp: string, dest: string, { unique = false } = {}): string {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const ext = path.extname(dest);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? dest : `${dest.slice(0, dest.length - ext.length)}-${n}${ext}`;
    try {
      fs.linkSync(tmp, candidate);
      fs.rmSync(tmp);
      return candidate;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (!unique)
        throw new AppError('conflict', `${candidate} already exists; backups and exports never overwrite a file. Choose another name.`);
    }
  }
}

/** A name beside `file` for work in progress: same directory, so a rename or link stays atomic. */
export const partialPath = (file: string) => `${file}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Creates `file`, empty, with exactly `mode` before a byte is written to it. SQLite and
 * copyFile would create it 0644 (less the umask), readable by every user; the umask may also
 * take bits off the mode asked for, hence the chmod.
 */
function createFile(file: string, mode: number): void {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode);
  } finally {
    fs.closeSync(fd);
  }
}

/** A byte-for-byte copy into a new file that only its owner can read. */
async function copyPrivately(from: string, to: string): Promise<void> {
  createFile(to, PRIVATE);
  await pipeline(fs.createReadStream(from), fs.createWriteStream(to, { flags: 'r+' }));
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function readStats(db: Database.Database, file: string): DatabaseStats {
  // Tables a very old backup lacks count as empty.
  const count = (table: string) => (hasTable(db, table) ? (db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number) : 0);
  return {
    posts: count('posts'),
    comments: count('comments'),
    users: count('users'),
    migrations: count('__drizzle_migrations'),
    bytes: fs.statSync(file).size,
  };
}

/** SQLite's own check of every page and index; an empty list means the file is sound. */
function integrityProblems(db: Database.Database): string[] {
  const rows = db.pragma('integrity_check(20)') as { integrity_check: string }[];
  return rows.map((row) => row.integrity_check).filter((message) => message !== 'ok');
}

/** Opens an existing file for reading only; a normal connection, so it tidies its -wal and -shm when it closes. */
function openExisting(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('query_only = ON');
    db.pragma('busy_timeout = 5000');
    // Reading the schema proves the file is a database at all.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db?.close();
    const code = errorCode(error);
    if (code === 'SQLITE_CANTOPEN') throw new AppError('not_found', `There is no database at ${file}.`);
    if (code === 'SQLITE_NOTADB') throw new AppError('validation', `${file} is not a SQLite database.`);
    throw error;
  }
}

/**
 * Copies `source` into a new file at `dest` (with `mode`; SQLite gives its journal the same) with
 * the online backup API and turns the copy into a single self-contained file (rollback journal,
 * no -wal beside it). Answers the copy's problems.
 */
async function copyDatabase(
  source: Database.Database,
  dest: string,
  mode = PRIVATE,
): Promise<{ stats: DatabaseStats; problems: string[] }> {
  createFile(dest, mode);
  await source.backup(dest, { progress: () => ALL_PAGES });
  const copy = new Database(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    return { problems: integrityProblems(copy), stats: readStats(copy, dest) };
  } finally {
    copy.close();
  }
}

/**
 * A consistent copy of a live database, taken while the server keeps reading and writing. The
 * copy is read in one step, one read transaction: in WAL mode that blocks no writer, whereas a
 * copy in small steps would start over after every write from another process.
 */
export async function backupDatabase({ file, out, now = new Date() }: { file: string; out?: string; now?: Date }): Promise<BackupResult> {
  const dest = path.resolve(out ?? defaultBackupPath(file, now));
  if (out && fs.existsSync(dest))
    throw new AppError('conflict', `${dest} already exists; a backup never overwrites a file. Choose another name.`);
  const source = openExisting(file);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = partialPath(dest);
  try {
    const { stats, problems } = await copyDatabase(source, tmp);
    if (problems.length > 0) {
      throw new AppError(
        'internal',
        `The copy of ${file} fails SQLite's integrity check, so the database itself is probably damaged:\n  ${problems.join('\n  ')}\n` +
          'Keep the file (and its -wal) as it is, and see https://sqlite.org/recovery.html.',
      );
    }
    return { ...stats, file: placeFile(tmp, dest, { unique: !out }) };
  } finally {
    source.close();
    fs.rmSync(tmp, { force: true });
  }
}

/** What a backup must be before it may replace the database: sound, Quire's, and not from a newer Quire. */
export function inspectBackup(file: string): DatabaseStats {
  const db = openExisting(file);
  try {
    const problems = integrityProblems(db);
    if (problems.length > 0) throw new AppError('validation', `${file} fails SQLite's integrity check:\n  ${problems.join('\n  ')}`);
    if (!hasTable(db, '__drizzle_migrations') || !hasTable(db, 'posts')) {
      throw new AppError('validation', `${file} is a SQLite database, but not a Quire database (it has no migrations table or no posts).`);
    }
    const stats = readStats(db, file);
    const known = (JSON.parse(fs.readFileSync(MIGRATIONS_JOURNAL, 'utf8')) as { entries: unknown[] }).entries.length;
    if (stats.migrations > known) {
      throw new AppError(
        'validation',
        `${file} comes from a newer version of Quire (${stats.migrations} migrations; this version knows ${known}). Update Quire, then restore.`,
      );
    }
    return stats;
  } finally {
    db.close();
  }
}

/**
 * Opens the database with SQLite's exclusive lock, kept until the connection closes. A Quire
 * server keeps its connection open in WAL mode, which holds a shared lock for as long as the
 * connection lives, so the lock is refused exactly while a server (or a backup, or a sqlite3
 * shell) has the file open, in any process. No pid file can go stale: the OS drops the lock
 * with the process. tests/data-safety.test.ts checks this against a child process.
 */
export function lockDatabase(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 1000');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (error) {
    db.close();
    if (errorCode(error) === 'SQLITE_BUSY') {
      throw new AppError(
        'conflict',
        `${file} is open in another process: is the Quire server running? Stop it (and any backup or sqlite3 shell using the file), then restore again.`,
      );
    }
    throw error;
  }
}

/** Whether another process has the database open (a running server, most likely). */
export function isDatabaseInUse(file: string): boolean {
  try {
    lockDatabase(file).close();
    return false;
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict') return true;
    throw error;
  }
}

const SIDECARS = ['-wal', '-shm', '-journal'];

/** fsync of a directory makes a rename in it survive a power cut. */
function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Keeps the current database aside before a restore replaces it. A file SQLite cannot read (what
 * a restore is often for) is copied byte for byte, with its -wal.
 */
async function keepSafetyCopy(live: Database.Database | undefined, file: string, now: Date): Promise<string> {
  const dest = defaultBackupPath(file, now, '-before-restore');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = partialPath(dest);
  try {
    if (live) await copyDatabase(live, tmp);
    else {
      await copyPrivately(file, tmp);
      if (fs.existsSync(`${file}-wal`)) await copyPrivately(`${file}-wal`, `${tmp}-wal`);
    }
    const placed = placeFile(tmp, dest, { unique: true });
    if (fs.existsSync(`${tmp}-wal`)) fs.renameSync(`${tmp}-wal`, `${placed}-wal`);
    return placed;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Replaces the database at `file` with the backup `from`: checks the backup, refuses while
 * another process has the database open, keeps a safety copy of the current database, swaps the
 * file in with one rename, and applies the migrations the backup predates.
 */
export async function restoreDatabase({
  file,
  from,
  now = new Date(),
}: {
  file: string;
  from: string;
  now?: Date;
}): Promise<RestoreResult> {
  const target = path.resolve(file);
  const source = path.resolve(from);
  if (source === target) throw new AppError('bad_request', `${from} is the database itself; name a backup file.`);
  const restored = inspectBackup(source);

  let live: Database.Database | undefined;
  let safetyCopy: string | undefined;
  const tmp = partialPath(target);
  // The restored database keeps the mode the operator gave the one it replaces.
  const mode = fs.existsSync(target) ? fs.statSync(target).mode & 0o777 : PRIVATE;
  try {
    if (fs.existsSync(target)) {
      try {
        live = lockDatabase(target);
      } catch (error) {
        // No server can be using a file SQLite cannot read (it would have failed to start).
        if (errorCode(error) !== 'SQLITE_NOTADB' && errorCode(error) !== 'SQLITE_CORRUPT') throw error;
      }
      safetyCopy = await keepSafetyCopy(live, target, now);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const backup = openExisting(source);
    try {
      await copyDatabase(backup, tmp, mode);
    } finally {
      backup.close();
    }
    // Moves the old WAL's commits into the old file and deletes the -wal. Whatever -wal, -shm or
    // journal is left belongs to the old file: replayed onto the restored one, it would corrupt it.
    live?.pragma('journal_mode = DELETE');
    for (const suffix of SIDECARS) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(tmp, target);
    syncDirectory(path.dirname(target));
  } finally {
    live?.close();
    fs.rmSync(tmp, { force: true });
  }

  const { db } = openDatabase(target);
  try {
    const migrations = db.$client.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number;
    return { restored, migrated: migrations - restored.migrations, safetyCopy };
  } finally {
    db.$client.close();
  }
}
