import type { InferSelectModel, Table } from 'drizzle-orm';
import { getDialect } from './config';
import * as postgres from './postgres/schema';
import * as sqlite from './sqlite/schema';

/*
 * The tables of the database this process uses. Both dialects define the same tables and columns
 * (db/sqlite/schema.ts, db/postgres/schema.ts); lib/ writes each query once against these, typed
 * as SQLite's, and Drizzle builds it in the dialect of the table it is given. Queries keep to what
 * both dialects share: awaited builders, `.returning()`, `onConflictDo*`, and the helpers in
 * db/sql.ts where the SQL itself differs. The whole suite runs on both (the `sqlite` and `postgres`
 * projects in vitest.config.ts).
 *
 * Why one cast to SQLite's types rather than an honest union (as Payload's DrizzleAdapter has,
 * `TransactionPg | TransactionSQLite`): Drizzle's builders do not compose across a union (a method
 * of `PgDatabase | SQLiteDatabase` has no call signature both accept), so each of the ~60 queries in
 * lib/ would need a branch per dialect, or a helper each dialect supplies, to say what it says now
 * once. What the cast could lie about, and what keeps it honest:
 * - the tables: each dialect's rows must have the same TypeScript type (RowsMatch below fails the
 *   typecheck otherwise) and the same columns, keys and indexes (tests/schema-parity.test.ts);
 * - the query API: SQLite's builders also offer synchronous `.get()`, `.all()`, `.run()`, which
 *   PostgreSQL's lack, and raw `sql` may be SQLite's dialect. Only modules that run on SQLite alone
 *   use them (the `sqlite.ts` side of lib/content/search/ and lib/shared-cache-tags/, backups, the
 *   export's SQLite snapshot), each behind a seam that chooses by dialect; everything else runs in
 *   the whole suite on both databases.
 * So the cast stays: one line here against a branch in every query, and a lie it could tell fails CI.
 */
const tables = (getDialect() === 'postgres' ? postgres : sqlite) as unknown as typeof sqlite;

type Rows<Schema> = { [Name in keyof Schema]: Schema[Name] extends Table ? InferSelectModel<Schema[Name]> : never };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A type error here: a table's rows differ between the dialects; tests/schema-parity.test.ts says where. */
const RowsMatch: Same<Rows<typeof sqlite>, Rows<typeof postgres>> = true;
void RowsMatch;

export const { posts, comments, users, sessions, apiTokens, settings, siteAssets, rateLimits, tags, postTags, cacheTagExpiries } = tables;

export * from './enums';

export type Post = typeof sqlite.posts.$inferSelect;
export type NewPost = typeof sqlite.posts.$inferInsert;
export type Comment = typeof sqlite.comments.$inferSelect;
export type NewComment = typeof sqlite.comments.$inferInsert;
export type User = typeof sqlite.users.$inferSelect;
export type Tag = typeof sqlite.tags.$inferSelect;
