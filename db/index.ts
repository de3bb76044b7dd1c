import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { getEnv } from '@/lib/env';
import * as schema from './schema';

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS_FOLDER = path.join(process.cwd(), 'db', 'migrations');

export interface OpenedDatabase {
  db: DB;
  /** True when this open created the schema, i.e. the database was new. */
  created: boolean;
}

/** Opens (creating if needed) a database file, tunes it and applies pending migrations. */
export function openDatabase(file: string): OpenedDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes
  // (a power cut may lose the last commits, never corrupt the file).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');

  const created = !sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  const db = drizzle({ client: sqlite, schema, casing: 'snake_case' });
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return { db, created };
}

// One connection per process, kept across hot reloads in development.
const globalForDb = globalThis as typeof globalThis & { quireDb?: OpenedDatabase };

export function getDatabase(): OpenedDatabase {
  globalForDb.quireDb ??= openDatabase(getEnv().DATABASE_PATH);
  return globalForDb.quireDb;
}

export function getDb(): DB {
  return getDatabase().db;
}

export function closeDb(): void {
  globalForDb.quireDb?.db.$client.close();
  globalForDb.quireDb = undefined;
}

export { schema };

/** Proves the database answers and tells which migration it is on. */
export function getDatabaseHealth(): { database: 'ok'; migrations: number } {
  const row = getDb().$client.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get() as { applied: number };
  return { database: 'ok', migrations: row.applied };
}
