import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { type SqliteDB, getDb, getDialect, queryRows, transaction } from '@/db';
import { comments, posts, rateLimits, settings } from '@/db/schema';
import { createComment } from '@/lib/comments/submission';
import { createPost } from '@/lib/content/posts';
import type { PostCreateInput } from '@/lib/content/schemas';

export const ADMIN = { Authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
const BASE = 'https://blog.example.test';

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Response | Promise<Response>;

/** Calls a route handler the way Next does: a real Request and a params promise. */
export function call<P>(
  handler: Handler<P>,
  {
    method = 'GET',
    path = '/',
    params = {} as P,
    json,
    form,
    body,
    headers = {},
  }: {
    method?: string;
    path?: string;
    params?: P;
    json?: unknown;
    form?: Record<string, string>;
    body?: BodyInit;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  const h = init.headers as Record<string, string>;
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    h['Content-Type'] ??= 'application/json';
  } else if (form !== undefined) {
    init.body = new URLSearchParams(form).toString();
    h['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    init.body = body;
    (init as RequestInit & { duplex: string }).duplex = 'half';
  }
  return Promise.resolve(handler(new Request(new URL(path, BASE), init), { params: Promise.resolve(params) }));
}

/** Deletes every row of `tables`, in this order, in one transaction (on either database). */
export async function clearTables(...tables: SQLiteTable[]): Promise<void> {
  await transaction(async (tx) => {
    for (const table of tables) await tx.delete(table).where(sql`true`);
  });
}

/** Empties the tables between tests; the schema and migrations stay. */
export const resetDatabase = () => clearTables(comments, posts, rateLimits, settings);

/**
 * Many published posts at once, `<prefix>-1` to `<prefix>-<count>`, all at the time `at`, straight
 * into the table (no rendering, no search index): for tests that need a large blog.
 */
export async function insertPublishedPosts(
  count: number,
  { prefix, at, body }: { prefix: string; at: string; body: string },
): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => ({
    slug: `${prefix}-${i + 1}`,
    title: `${prefix[0]!.toUpperCase()}${prefix.slice(1)} ${i + 1}`,
    body,
    html: `<p>${body}</p>`,
    status: 'published' as const,
    publishedAt: at,
    createdAt: at,
    updatedAt: at,
  }));
  await transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += 500) await tx.insert(posts).values(rows.slice(start, start + 500));
  });
}

/** The better-sqlite3 connection for reads behind getDb(), for what only SQLite has: pragmas, query plans, FTS tables. */
export const sqliteReader = (): Database.Database => (getDb() as unknown as SqliteDB).$client;

/** Runs `work` on the better-sqlite3 connection of a write transaction, for writes only SQLite has (FTS tables, triggers). */
export const withSqliteWriter = <T>(work: (sqlite: Database.Database) => T): Promise<T> =>
  transaction(async (tx) => work((tx as unknown as SqliteDB).$client));

/** How many posts the search index holds (on SQLite both FTS5 tables must agree). */
export async function countIndexedPosts(): Promise<number> {
  if (getDialect() === 'postgres') return (await queryRows<{ n: number }>(sql`SELECT count(*) AS n FROM post_search`))[0]!.n;
  const { stemmed, prefixes } = sqliteReader()
    .prepare('SELECT (SELECT count(*) FROM posts_fts) AS stemmed, (SELECT count(*) FROM posts_fts_prefix) AS prefixes')
    .get() as { stemmed: number; prefixes: number };
  if (stemmed !== prefixes) throw new Error(`posts_fts holds ${stemmed} posts, posts_fts_prefix ${prefixes}`);
  return stemmed;
}

/**
 * Takes a post out of the search index, as a database edited by hand or older than search lacks it:
 * on SQLite out of `tables` (both FTS5 tables by default), on PostgreSQL out of post_search.
 */
export async function removeFromSearchIndex(postId: number, tables = ['posts_fts', 'posts_fts_prefix']): Promise<void> {
  if (getDialect() === 'postgres') {
    await transaction(async () => void (await queryRows(sql`DELETE FROM post_search WHERE post_id = ${postId}`)));
    return;
  }
  await withSqliteWriter((sqlite) => {
    for (const table of tables) sqlite.prepare(`DELETE FROM ${table} WHERE rowid = ?`).run(postId);
  });
}

let counter = 0;
export function makePost(overrides: Partial<PostCreateInput> = {}) {
  counter++;
  return createPost({
    title: `Post number ${counter}`,
    body: `Body of post ${counter} with *emphasis*.`,
    status: 'published',
    ...overrides,
  });
}

export function makeComment(slug: string, overrides: { authorName?: string; body?: string; parentId?: number } = {}) {
  return createComment(slug, { authorName: 'Reader', body: 'A thoughtful comment.', ...overrides });
}
