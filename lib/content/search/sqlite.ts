import { type SQL, sql } from 'drizzle-orm';
import { type SqliteDB, getDb } from '@/db';
import { CLOSE, OPEN, type ParsedQuery, type SearchRow, hasWords, parseQuery } from '@/lib/content/search/query';

/*
 * Search on SQLite: two FTS5 tables (db/sqlite/migrations), posts_fts (stemmed) and posts_fts_prefix
 * (as written), keyed by the post's id as rowid.
 */

/** Column weights for bm25: a match in the title counts most, then tags, the summary and the text. */
const RANK = 'bm25(posts_fts, 10.0, 4.0, 1.0, 6.0)';
/** The same weights over the unstemmed index, for posts that only a typed prefix finds. */
const PREFIX_RANK = 'bm25(posts_fts_prefix, 10.0, 4.0, 1.0, 6.0)';

/**
 * The search indexes are SQLite's FTS5 tables, which the query builder does not model: the statements
 * on them are SQLite's own, run on the SQLite connection behind getDb() (the transaction's, inside one).
 * They are synchronous there, as better-sqlite3 is.
 */
function fts(): SqliteDB {
  return getDb() as unknown as SqliteDB;
}

/**
 * Writes one post's searchable text to both indexes: posts_fts, stemmed, for words and ranking;
 * posts_fts_prefix, as written, for the word being typed.
 */
export async function indexPost(postId: number, bodyText?: string): Promise<void> {
  const db = fts();
  const body =
    bodyText ??
    db.get<{ body: string }>(sql`SELECT body FROM posts_fts WHERE rowid = ${postId}
      UNION ALL SELECT body FROM posts_fts_prefix WHERE rowid = ${postId} LIMIT 1`)?.body;
  db.run(sql`DELETE FROM posts_fts WHERE rowid = ${postId}`);
  db.run(sql`DELETE FROM posts_fts_prefix WHERE rowid = ${postId}`);
  const row = db.get<{ title: string; summary: string; tags: string | null }>(sql`
    SELECT title, summary,
      (SELECT group_concat(t.name, ' ') FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = posts.id) AS tags
    FROM posts WHERE id = ${postId}`);
  if (!row || body === undefined) return;
  db.run(sql`INSERT INTO posts_fts (rowid, title, summary, body, tags)
    VALUES (${postId}, ${row.title}, ${row.summary}, ${body}, ${row.tags ?? ''})`);
  db.run(sql`INSERT INTO posts_fts_prefix (rowid, title, summary, body, tags)
    VALUES (${postId}, ${row.title}, ${row.summary}, ${body}, ${row.tags ?? ''})`);
}

export async function isIndexed(postId: number): Promise<boolean> {
  return (
    fts().get(sql`SELECT 1 FROM posts_fts WHERE rowid = ${postId}`) !== undefined &&
    fts().get(sql`SELECT 1 FROM posts_fts_prefix WHERE rowid = ${postId}`) !== undefined
  );
}

/** Posts missing from either index. */
export async function missingPosts(): Promise<number[]> {
  return fts()
    .all<{ id: number }>(
      sql`SELECT id FROM posts WHERE id NOT IN (SELECT rowid FROM posts_fts) OR id NOT IN (SELECT rowid FROM posts_fts_prefix)`,
    )
    .map((row) => row.id);
}

const withExclusions = (positive: string[], excluded: string[]) => [positive.join(' '), ...excluded.map((word) => `NOT ${word}`)].join(' ');

/**
 * Turns what a reader typed into a safe FTS5 query for posts_fts: "quoted phrases" stay phrases, other
 * words are quoted one by one (so AND, OR, NOT, *, ( and " are only ever text), -word excludes a word,
 * and the last word matches as a prefix while it is being typed. Returns null when nothing is left.
 */
export function toFtsQuery(input: string): string | null {
  const parsed = parseQuery(input);
  return hasWords(parsed) ? ftsQuery(parsed) : null;
}

/** The FTS5 query of a parsed query with words. */
function ftsQuery({ positive, excluded, prefix }: ParsedQuery): string {
  return withExclusions(prefix ? [...positive, `${prefix}*`] : positive, excluded);
}

/** The author's search (drafts included): the ids of posts either index matches. */
export function matchingPostIds(parsed: ParsedQuery): SQL {
  const match = ftsQuery(parsed);
  return sql`SELECT rowid FROM posts_fts WHERE posts_fts MATCH ${match}
    UNION SELECT rowid FROM posts_fts_prefix WHERE posts_fts_prefix MATCH ${match}`;
}

/**
 * Whole words match their stems in posts_fts, ranked by its bm25. The word being typed also matches,
 * as written, any word it begins in posts_fts_prefix (a stemmed prefix misses them: "tagg" is not a
 * prefix of "tag", the stem of "tagged"); a post only that finds is ranked by the same weights over that index.
 */
export async function searchPosts(parsed: ParsedQuery, { limit, offset }: { limit: number; offset: number }): Promise<SearchRow[]> {
  const { positive, excluded, prefix } = parsed;
  const match = ftsQuery(parsed);
  const now = new Date().toISOString();
  // The other words still match stemmed, in posts_fts; exclusions apply to both.
  const rest = positive.length > 0 ? withExclusions(positive, excluded) : null;
  // +rowid: without the unary plus FTS5 takes each IN list as rowid lookups and runs the prefix MATCH
  // once per listed row (3.5 s instead of 2 ms for "cache index" over 10,000 posts).
  const prefixed = prefix
    ? sql`UNION ALL
      SELECT rowid, ${sql.raw(PREFIX_RANK)}, 0 FROM posts_fts_prefix
      WHERE posts_fts_prefix MATCH ${`${prefix}*`}
        AND +rowid NOT IN (SELECT id FROM stemmed)
        ${rest ? sql`AND +rowid IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ${rest})` : sql``}
        ${!rest && excluded.length > 0 ? sql`AND +rowid NOT IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ${excluded.join(' OR ')})` : sql``}`
    : sql``;
  // For snippets of posts found by the prefix alone: the prefix and the other words as written.
  const highlight = [...positive, `${prefix}*`].join(' OR ');
  const snippetOf = (column: number) => sql`CASE WHEN hits.stemmed
      THEN (SELECT snippet(posts_fts, ${column}, ${OPEN}, ${CLOSE}, '…', 24) FROM posts_fts
        WHERE posts_fts MATCH ${match} AND posts_fts.rowid = hits.id)
      ELSE (SELECT snippet(posts_fts_prefix, ${column}, ${OPEN}, ${CLOSE}, '…', 24) FROM posts_fts_prefix
        WHERE posts_fts_prefix MATCH ${highlight} AND posts_fts_prefix.rowid = hits.id) END`;
  // The full-text indexes drive the join (CROSS JOIN fixes the order): left to itself, SQLite walks
  // the live posts and runs the MATCH once per post, seconds on a large blog instead of
  // milliseconds. Snippets are made only for the page of results, not for every match.
  return fts().all<SearchRow>(sql`
    WITH stemmed AS MATERIALIZED (
      SELECT rowid AS id, ${sql.raw(RANK)} AS score FROM posts_fts WHERE posts_fts MATCH ${match}),
    candidates (id, score, stemmed) AS (
      SELECT id, score, 1 FROM stemmed
      ${prefixed}),
    hits AS MATERIALIZED (
      SELECT p.id, c.score, c.stemmed
      FROM candidates c CROSS JOIN posts p ON p.id = c.id
      WHERE p.status = 'published' AND p.published_at <= ${now}
      ORDER BY c.score, p.id
      LIMIT ${limit + 1} OFFSET ${offset})
    SELECT p.id, p.slug, p.title, p.summary, p.published_at AS publishedAt,
      ${snippetOf(2)} AS bodySnippet,
      ${snippetOf(1)} AS summarySnippet
    FROM hits JOIN posts p ON p.id = hits.id
    ORDER BY hits.score, hits.id`);
}
