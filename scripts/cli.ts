import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closeDb, getDialect } from '@/db';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';

/*
 * What the data scripts share: expected failures (a running server, a file that exists, a bad
 * export) print a plain message and exit with 1; only a real bug prints a stack trace.
 */

const MAX_PROBLEMS = 20;

function report(error: unknown): void {
  if (error instanceof AppError) {
    console.error(error.message);
    const problems = error.errors ?? [];
    for (const { field, message } of problems.slice(0, MAX_PROBLEMS)) console.error(`  ${field}: ${message}`);
    if (problems.length > MAX_PROBLEMS) console.error(`  ... and ${problems.length - MAX_PROBLEMS} more.`);
  } else if (error instanceof Error && 'code' in error) {
    // The system's or SQLite's own words (no space left, permission denied) say what is wrong.
    console.error(`Error: ${error.message}`);
  } else {
    console.error(error);
  }
}

/** Runs a script's body, reports its failure and closes the database connection either way. */
export function runScript(main: () => unknown): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      report(error);
      process.exitCode = 1;
    })
    .finally(closeDb);
}

/** The database the scripts work on, as messages name it. */
export const databaseName = () => (getDialect() === 'postgres' ? 'the PostgreSQL database (DATABASE_URL)' : getEnv().DATABASE_PATH);

/** Backups and restores copy the SQLite file; PostgreSQL has its own tools. */
export function requireSqlite(command: string): void {
  if (getDialect() === 'postgres') {
    throw new AppError(
      'bad_request',
      `${command} copies a SQLite file, and DATABASE_URL names a PostgreSQL database: back it up with pg_dump and ` +
        'restore it with pg_restore (docs/operations.md, "Backups on PostgreSQL").',
    );
  }
}

/** `1 post`, `2 posts`. */
export const plural = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A path as the user would type it: relative when it is below the current directory. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
}

export const usage = (text: string) => new AppError('bad_request', `Usage: ${text}`);

/**
 * A script's arguments, read with node's parseArgs. `--help` (or `-h`) prints the usage and what
 * the command does, then exits; an unknown option or a missing value is a usage error.
 */
export function parseCommand<const O extends NonNullable<ParseArgsConfig['options']>>(
  help: { usage: string; description: string },
  options: O,
) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: ${help.usage}\n\n${help.description}`);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new AppError('bad_request', `${(error as Error).message}\nUsage: ${help.usage}   (--help explains)`);
  }
}
