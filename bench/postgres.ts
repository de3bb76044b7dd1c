/*
 * `--db postgres`: the same blog on a throw-away PostgreSQL server (tests/postgres-server.ts). The
 * SQLite seed is fast and is checked against createPost (bench/seed.ts), so the PostgreSQL database is
 * a copy of it: Quire's migrations make the schema, then every table is copied row for row in one
 * transaction, ids kept, and post_search gets the plain text that posts_fts holds. Triggers are off
 * while copying (comment_count is copied, not counted again), the id sequences are moved past the
 * copied ids, and ANALYZE gives the planner statistics, as a blog that has been running would have.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { type PostgresServer, startPostgres } from '../tests/postgres-server';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface PostgresCopy {
  server: PostgresServer;
  url: string;
  version: string;
  /** Seconds to migrate, copy and analyze. */
  seconds: number;
  /** pg_database_size after the copy. */
  bytes: number;
  /** Rows copied per table (post_search included). */
  rows: Record<string, number>;
}

/** A row as better-sqlite3 returns it with raw(): the columns in the order asked for. */
type Row = unknown[];

/** At most this many parameters in one INSERT (PostgreSQL's limit is 65,535), and rows per INSERT. */
const MAX_PARAMETERS = 60_000;
const MAX_ROWS = 1000;

/** SQLite keeps booleans as 0/1; bytes, numbers and text go over as they are. */
const convert = (type: string) => (type === 'boolean' ? (value: unknown) => (value === null ? null : value !== 0) : undefined);

async function insertRows(client: pg.Client, table: string, columns: string[], rows: Iterable<Row>, types: string[]): Promise<number> {
  const converters = types.map(convert);
  const perInsert = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
  const head = `INSERT INTO ${pg.escapeIdentifier(table)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')}) VALUES `;
  let batch: Row[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    const parameters = batch.flatMap((row) => row.map((value, c) => (converters[c] ? converters[c](value) : value)));
    await client.query(head + values.join(', '), parameters);
    count += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= perInsert) await flush();
  }
  await flush();
  return count;
}

/** Starts PostgreSQL, creates a database and copies the seeded SQLite file into it. The caller stops `server`. */
export async function copyToPostgres(sqlitePath: string): Promise<PostgresCopy> {
  const server = await startPostgres();
  try {
    const started = performance.now();
    const url = await server.createDatabase('quire_bench');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const sqlite = new Database(sqlitePath, { readonly: true });
    try {
      // Quire's own migrations, as prepareDatabase() runs them at start (it then finds nothing to do).
      await migrate(drizzle({ client }), { migrationsFolder: path.join(ROOT, 'db', 'postgres', 'migrations') });
      const { rows: columnRows } = await client.query<{ table: string; column: string; type: string; identity: boolean }>(
        `SELECT c.table_name AS table, c.column_name AS column, c.data_type AS type, c.is_identity = 'YES' AS identity
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
         ORDER BY c.table_name, c.ordinal_position`,
      );
      const tables = new Map<string, { column: string; type: string; identity: boolean }[]>();
      for (const row of columnRows) tables.set(row.table, [...(tables.get(row.table) ?? []), row]);

      const rows: Record<string, number> = {};
      await client.query('BEGIN');
      // Replica mode: no triggers (the comment counts are copied as they are) and no foreign-key checks,
      // so the tables can go in any order.
      await client.query('SET LOCAL session_replication_role = replica');
      for (const [table, columns] of tables) {
        if (table === 'post_search') continue;
        const sqliteColumns = new Set(sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
        if (sqliteColumns.size === 0) throw new Error(`The SQLite seed has no table ${table}, which PostgreSQL has.`);
        const missing = columns.filter((c) => !sqliteColumns.has(c.column)).map((c) => c.column);
        if (missing.length > 0) throw new Error(`SQLite's ${table} lacks ${missing.join(', ')}, which PostgreSQL's has.`);
        const names = columns.map((c) => c.column);
        const select = sqlite
          .prepare(`SELECT ${names.map((name) => `"${name}"`).join(', ')} FROM "${table}" ORDER BY rowid`)
          .raw()
          .iterate() as Iterable<Row>;
        rows[table] = await insertRows(
          client,
          table,
          names,
          select,
          columns.map((c) => c.type),
        );
        if (columns.some((c) => c.column === 'id' && c.identity)) {
          const t = pg.escapeIdentifier(table);
          await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`, [
            table,
          ]);
        }
      }
      // posts_fts holds each post's plain text (its body rendered from Markdown), title, summary and tags.
      const search = sqlite
        .prepare('SELECT rowid, title, summary, body, tags FROM posts_fts ORDER BY rowid')
        .raw()
        .iterate() as Iterable<Row>;
      rows.post_search = await insertRows(client, 'post_search', ['post_id', 'title', 'summary', 'body', 'tags'], search, []);
      await client.query('COMMIT');
      await client.query('ANALYZE');

      for (const [table, count] of Object.entries(rows)) {
        const source = table === 'post_search' ? 'posts_fts' : table;
        const expected = sqlite.prepare(`SELECT count(*) FROM "${source}"`).pluck().get() as number;
        const { rows: copied } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(table)}`);
        if (count !== expected || Number(copied[0]!.n) !== expected) {
          throw new Error(`Copying ${table} to PostgreSQL: ${expected} rows in SQLite, ${copied[0]!.n} in PostgreSQL.`);
        }
      }
      const { rows: info } = await client.query<{ version: string; bytes: string }>(
        `SELECT current_setting('server_version') AS version, pg_database_size(current_database()) AS bytes`,
      );
      return {
        server,
        url,
        version: info[0]!.version,
        seconds: (performance.now() - started) / 1000,
        bytes: Number(info[0]!.bytes),
        rows,
      };
    } finally {
      sqlite.close();
      await client.end();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Runs one query on the database at `url` with a connection of its own. */
export async function queryPostgres<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
