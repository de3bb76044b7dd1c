import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type SQL, sql } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { type NodePgDatabase, drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { type Dialect, getDatabasePath, getDatabasePoolSize, getDatabaseUrl, getDialect } from './config';
import * as postgresSchema from './postgres/schema';
import * as sqliteSchema from './sqlite/schema';

/**
 * The connection lib/ queries, typed as an asynchronous SQLite database whatever the dialect:
 * every query is awaited, so the same code runs on better-sqlite3 and on PostgreSQL (db/schema.ts).
 */
export type DB = BaseSQLiteDatabase<'async', unknown, typeof sqliteSchema>;
/** A transaction is a DB too: inside `transaction()`, getDb() returns it. */
export type Tx = DB;
/** A synchronous better-sqlite3 connection, for what only SQLite has (backups, the shared cache tags). */
export type SqliteDB = BetterSQLite3Database<typeof sqliteSchema> & { $client: Database.Database };

export { getDialect, type Dialect };

const MIGRATIONS = {
  sqlite: path.join(process.cwd(), 'db', 'sqlite', 'migrations'),
  postgres: path.join(process.cwd(), 'db', 'postgres', 'migrations'),
};

/** Opens (creating if needed) a SQLite file, tunes it and applies pending migrations. */
export function openDatabase(file: string): { db: SqliteDB; created: boolean } {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = openSqliteFile(file);
  const created = !sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  const db = drizzleSqlite({ client: sqlite, schema: sqliteSchema, casing: 'snake_case' });
  migrateSqlite(db, { migrationsFolder: MIGRATIONS.sqlite });
  return { db, created };
}

function openSqliteFile(file: string, options?: Database.Options): Database.Database {
  const sqlite = new Database(file, options);
  // WAL lets readers run beside the one writer, in this process or another (two servers during a
  // restart). With synchronous = NORMAL a commit is in the WAL file before it is acknowledged, so it
  // survives the process being killed (e2e/resilience.spec.ts SIGKILLs a server under load); an OS
  // crash or power cut may lose the last commits but never corrupts the file. FULL would add an
  // fsync to every commit (1.6 ms on average here, against 0.05-0.2 ms) with the event loop blocked.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // How long a write waits for another process's transaction. Writes take the lock up front
  // (BEGIN IMMEDIATE), so they wait here instead of failing with SQLITE_BUSY.
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

/** How many compiled statements each connection keeps: Quire runs a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Drizzle asks better-sqlite3 to prepare every query it runs, and compiling the SQL costs more than
 * running it for most of Quire's queries. The compiled statements are kept by their text, so each is
 * compiled once. A statement is handed out only while no other caller is iterating it, in the
 * default row mode (Drizzle switches `raw` per call), and the least recently used goes first.
 */
function keepPreparedStatements(client: Database.Database): void {
  const prepare = client.prepare.bind(client);
  const kept = new Map<string, Database.Statement>();
  client.prepare = ((source: string) => {
    const statement = kept.get(source);
    if (statement && !statement.busy) {
      kept.delete(source);
      kept.set(source, statement);
      if (statement.reader) statement.raw(false);
      return statement;
    }
    const compiled = prepare(source);
    if (statement) return compiled;
    kept.set(source, compiled);
    if (kept.size > STATEMENT_CACHE_SIZE) kept.delete(kept.keys().next().value!);
    return compiled;
  }) as Database.Database['prepare'];
}

interface Connection {
  dialect: Dialect;
  /** Where reads outside a transaction go. */
  db: DB;
  /** Runs `work` in a new transaction (see `transaction`). */
  begin<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Migrations applied; `created` when this start made the schema (a new, empty blog). */
  ready: Promise<{ created: boolean }>;
  /** Runs a raw statement in the dialect's own terms and returns its rows. */
  rows<T>(db: DB, query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * SQLite: better-sqlite3 is synchronous and has one connection per handle, so a transaction that
 * awaits would let any other request's statements run inside it. Hence two connections. Reads go to
 * one that is `query_only`, so a write outside `transaction()` fails at once, in every test. Writes
 * go to the other, one transaction at a time (a promise queue), each opened with BEGIN IMMEDIATE;
 * in WAL mode reads never wait for it and never see a transaction before it commits.
 */
function openSqlite(file: string): Connection {
  const writer = openDatabase(file);
  // `next build`'s database lives in memory, where a second connection would be another database.
  const inMemory = file === ':memory:';
  const readerClient = inMemory ? writer.db.$client : openSqliteFile(file);
  if (!inMemory) readerClient.pragma('query_only = ON');
  for (const client of new Set([writer.db.$client, readerClient])) keepPreparedStatements(client);
  const reader = drizzleSqlite({ client: readerClient, schema: sqliteSchema, casing: 'snake_case' });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    dialect: 'sqlite',
    db: reader as unknown as DB,
    begin(work) {
      const run = queue.then(async () => {
        const client = writer.db.$client;
        client.exec('BEGIN IMMEDIATE');
        try {
          const tx = writer.db as unknown as Tx;
          const result = await runInTransaction(tx, work);
          client.exec('COMMIT');
          return result;
        } catch (error) {
          if (client.inTransaction) client.exec('ROLLBACK');
          throw error;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    ready: Promise.resolve({ created: writer.created }),
    rows: async <T>(db: DB, query: SQL) => (db as unknown as SqliteDB).all<T>(query),
    async close() {
      await queue;
      if (readerClient !== writer.db.$client) readerClient.close();
      writer.db.$client.close();
    },
  };
}

/** Errors a wrong DATABASE_URL gives, said in words, naming the variable. */
function describeConnectError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const why =
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ETIMEDOUT'
      ? `PostgreSQL is unreachable (${message})`
      : code === '28P01' || code === '28000'
        ? `authentication failed (${message})`
        : code === '3D000'
          ? `the database does not exist (${message}); create it with createdb`
          : message;
  return `Invalid configuration:\n  DATABASE_URL: ${why}`;
}

/** The oldest PostgreSQL with everything the schema uses (identity columns, generated columns, websearch_to_tsquery). */
const MIN_POSTGRES = 12;

function openPostgres(url: string): Connection {
  // int8 (count(*), epoch milliseconds) as a number: every value Quire stores fits in 2^53. Set on
  // pg's global parsers because Drizzle passes its own per query, which fall back to those.
  pg.types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({ connectionString: url, max: getDatabasePoolSize() });
  // An idle client's error (PostgreSQL restarted, say) must not crash the process; the pool replaces it.
  pool.on('error', (error) => console.error('Quire: PostgreSQL connection error:', error.message));
  const db = drizzlePostgres({ client: pool, schema: postgresSchema, casing: 'snake_case' });
  const ready = (async () => {
    let created: boolean;
    try {
      const { rows } = await pool.query<{ version: string; migrated: boolean }>(
        "SELECT current_setting('server_version_num') AS version, to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS migrated",
      );
      const major = Math.floor(Number(rows[0]!.version) / 10000);
      if (major < MIN_POSTGRES) throw new Error(`PostgreSQL ${MIN_POSTGRES} or newer is needed; this server is version ${major}`);
      created = !rows[0]!.migrated;
    } catch (error) {
      throw new Error(describeConnectError(error), { cause: error });
    }
    await migratePostgres(db, { migrationsFolder: MIGRATIONS.postgres });
    return { created };
  })();
  // Callers await `ready`; this keeps an early failure from being reported as unhandled as well.
  ready.catch(() => undefined);
  return {
    dialect: 'postgres',
    db: db as unknown as DB,
    begin: (work) => db.transaction((tx) => runInTransaction(tx as unknown as Tx, work)),
    ready,
    rows: async <T>(db: DB, query: SQL) => (await (db as unknown as NodePgDatabase).execute(query)).rows as T[],
    close: () => pool.end(),
  };
}

// Kept on globalThis, as the connection is: Next bundles this module more than once (instrumentation,
// route handlers, pages), and a transaction begun through one copy must be getDb()'s in every other.
const activeTransaction = ((
  globalThis as typeof globalThis & { quireTransaction?: AsyncLocalStorage<OpenTransaction> }
).quireTransaction ??= new AsyncLocalStorage<OpenTransaction>());

interface OpenTransaction {
  tx: Tx;
  /** False once it has committed or rolled back: work it started that runs later (a promise callback) is outside it. */
  open: boolean;
}

async function runInTransaction<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  const scope = { tx, open: true };
  try {
    return await activeTransaction.run(scope, () => work(tx));
  } finally {
    scope.open = false;
  }
}

/** The transaction the caller runs in, if it is still open. */
function openTransaction(): Tx | undefined {
  const scope = activeTransaction.getStore();
  return scope?.open ? scope.tx : undefined;
}

// One connection (pool) per process, kept across hot reloads in development.
const globalForDb = globalThis as typeof globalThis & { quireDb?: Connection };

function connection(): Connection {
  if (!globalForDb.quireDb) {
    const url = getDatabaseUrl();
    globalForDb.quireDb =
      getDialect() === 'postgres' && url
        ? openPostgres(url)
        : // `next build` renders a few pages ahead (the 404 page, for one), and their layout reads the
          // site's settings. The build must not create the blog's database: the first start would
          // find it and skip the demo content. It gets an empty one in memory instead.
          openSqlite(process.env.NEXT_PHASE === 'phase-production-build' ? ':memory:' : getDatabasePath());
  }
  return globalForDb.quireDb;
}

/** Opens the database and applies pending migrations; `created` when the blog is new. Start-up awaits this. */
export function prepareDatabase(): Promise<{ created: boolean }> {
  return connection().ready;
}

/** The current transaction inside `transaction()`, else the connection for reads. */
export function getDb(): DB {
  return openTransaction() ?? connection().db;
}

/**
 * Runs `work` in one transaction: all of it commits, or none of it. Every write goes through here,
 * even a single statement (on SQLite the connection for reads refuses writes), or through
 * `writeStatement`, which comes here on SQLite. Inside, getDb()
 * returns the transaction, so the functions `work` calls take part in it; a `transaction()` inside
 * another joins it. Keep slow work (rendering, image encoding) before it: on SQLite one
 * transaction at a time holds the write lock.
 */
export function transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  const current = openTransaction();
  if (current) return work(current);
  return connection().begin(work);
}

/** What `preparedQuery` needs of a query builder: Drizzle's `prepare()`, whose result runs with placeholder values. */
interface Preparable<R> {
  prepare(): { execute(values?: Record<string, unknown>): PromiseLike<R> };
}

/**
 * A query for a hot path, built once per connection and then run with new values for its
 * placeholders (`sql.placeholder('slug')`). Drizzle turns a query builder into SQL text on every
 * call, and for Quire's small queries that costs several times what SQLite takes to run them (55 µs
 * against 6 µs for a post by its slug): a fifth of the main thread's time in a comment post.
 *
 * It runs where getDb() points, so inside `transaction()` it takes part in the transaction (on
 * SQLite the writer connection gets its own copy; on PostgreSQL each transaction builds it once).
 * Whatever JavaScript computes while the query is built is computed only once: a time such as
 * "now", and column defaults made by `$defaultFn` (created_at, updated_at), must be placeholders.
 */
export function preparedQuery<R, V extends Record<string, unknown> = Record<string, unknown>>(
  build: (db: DB) => Preparable<R>,
): (values: V) => Promise<R> {
  const byConnection = new WeakMap<object, ReturnType<Preparable<R>['prepare']>>();
  return async (values) => {
    const db = getDb();
    return prepareOnce(byConnection, db, () => build(db).prepare()).execute(values);
  };
}

/** What `cache` holds for this connection, built by `build` the first time (see preparedQuery). */
export function prepareOnce<T>(cache: WeakMap<object, T>, db: object, build: () => T): T {
  let prepared = cache.get(db);
  if (!prepared) {
    prepared = build();
    cache.set(db, prepared);
  }
  return prepared;
}

/**
 * A write that is one statement, and so atomic by itself. On PostgreSQL it runs on the pool in
 * autocommit: one round trip instead of three (BEGIN, the statement, COMMIT), and the rows it
 * changes are locked while it runs rather than until Node has sent the COMMIT, which matters for a
 * row every request updates (a rate-limit counter). On SQLite, and inside a transaction, it is a
 * `transaction()` like any other write. `write` must send exactly one statement.
 */
export function writeStatement<T>(write: () => Promise<T>): Promise<T> {
  return connection().dialect === 'postgres' && !openTransaction() ? write() : transaction(write);
}

/** Runs raw SQL (what the query builder cannot say, written per dialect) and returns its rows. */
export function queryRows<T>(query: SQL): Promise<T[]> {
  return connection().rows<T>(getDb(), query);
}

/** Closes the connections; on SQLite the last one to close checkpoints the WAL into the file and deletes it. */
export async function closeDb(): Promise<void> {
  const current = globalForDb.quireDb;
  globalForDb.quireDb = undefined;
  await current?.close();
}

export { sql };

/** Proves the database answers and tells which migration it is on (its tag in db/<dialect>/migrations). */
export async function getDatabaseHealth(): Promise<{ database: 'ok'; migrations: number; version: string | null }> {
  const dialect = getDialect();
  const table = dialect === 'postgres' ? sql.raw('drizzle.__drizzle_migrations') : sql.raw('__drizzle_migrations');
  const [row] = await queryRows<{ applied: number; latest: number | string | null }>(
    sql`SELECT count(*) AS applied, max(created_at) AS latest FROM ${table}`,
  );
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS[dialect], 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number; tag: string }[];
  };
  const latest = row?.latest == null ? null : Number(row.latest);
  return {
    database: 'ok',
    migrations: Number(row?.applied ?? 0),
    version: journal.entries.find((entry) => entry.when === latest)?.tag ?? null,
  };
}

export interface Listener {
  /** A NOTIFY on the channel, with its payload. */
  onNotify(payload: string): void;
  /** Listening (again): notifications from now on arrive. Anything sent while it was not may be lost. */
  onListening(): void;
  /** The connection failed; it is opened again after a pause. */
  onLost(error: Error): void;
}

/**
 * PostgreSQL only: LISTENs on `channel` on a connection of its own (a pooled one would be handed to
 * other queries), opened again after a failure with a doubling pause up to 10 s. Returns a function
 * that stops listening. NOTIFY is sent inside a transaction and delivered when it commits.
 */
export function listen(channel: string, listener: Listener): () => Promise<void> {
  const url = getDatabaseUrl();
  if (getDialect() !== 'postgres' || !url) throw new Error('listen() needs PostgreSQL (DATABASE_URL)');
  let client: pg.Client | undefined;
  let stopped = false;
  let pause = 250;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    const next = new pg.Client({ connectionString: url });
    client = next;
    let failed = false;
    const fail = (error: Error) => {
      if (failed || stopped) return;
      failed = true;
      listener.onLost(error);
      void next.end().catch(() => undefined);
      timer = setTimeout(() => void connect(), pause);
      timer.unref();
      pause = Math.min(pause * 2, 10_000);
    };
    next.on('error', fail);
    next.on('end', () => fail(new Error('connection closed')));
    next.on('notification', (message) => {
      if (message.channel === channel) listener.onNotify(message.payload ?? '');
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (stopped) return void (await next.end());
      pause = 250;
      listener.onListening();
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => undefined);
  };
}

/**
 * After rows were inserted with ids of their own (an import), the next id each table hands out must
 * come after them. PostgreSQL's identity columns draw from a sequence that an explicit id does not
 * move; SQLite takes max(id) + 1 by itself.
 */
export async function syncIdSequences(tableNames: readonly string[]): Promise<void> {
  if (getDialect() !== 'postgres') return;
  for (const name of tableNames) {
    const table = sql.identifier(name);
    await queryRows(sql`SELECT setval(pg_get_serial_sequence(${name}, 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`);
  }
}
