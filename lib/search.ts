import { sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { AppError, fieldError } from '@/lib/errors';
import { markdownToPlainText } from '@/lib/markdown';
import type { Page } from '@/lib/pagination';
import { absoluteUrl, postPath } from '@/lib/site';

type Runner = Pick<ReturnType<typeof getDb>, 'run' | 'all' | 'get'>;

/** Column weights for bm25: a match in the title counts most, then tags, the summary and the text. */
const RANK = 'bm25(posts_fts, 10.0, 4.0, 1.0, 6.0)';

/**
 * Writes one post's searchable text; called inside the transaction that changes the post or its tags.
 * `bodyText` is the plain text of its Markdown (renderPost's `text`, made before the transaction:
 * parsing is slow and runs in a worker); left out, the body text indexed before is kept. A post
 * with neither stays out of the index until indexMissingPosts adds it.
 */
export function indexPost(db: Runner, postId: number, bodyText?: string): void {
  const body = bodyText ?? db.get<{ body: string }>(sql`SELECT body FROM posts_fts WHERE rowid = ${postId}`)?.body;
  db.run(sql`DELETE FROM posts_fts WHERE rowid = ${postId}`);
  const row = db.get<{ title: string; summary: string; tags: string | null }>(sql`
    SELECT title, summary,
      (SELECT group_concat(t.name, ' ') FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = posts.id) AS tags
    FROM posts WHERE id = ${postId}`);
  if (!row || body === undefined) return;
  db.run(sql`INSERT INTO posts_fts (rowid, title, summary, body, tags)
    VALUES (${postId}, ${row.title}, ${row.summary}, ${body}, ${row.tags ?? ''})`);
}

/** Posts whose plain text is made before each write transaction. */
const INDEX_BATCH = 200;

/** Indexes every post that is not indexed yet (a database that predates search, or one edited by hand). */
export async function indexMissingPosts(): Promise<number> {
  const db = getDb();
  const missing = db.all<{ id: number }>(sql`SELECT id FROM posts WHERE id NOT IN (SELECT rowid FROM posts_fts)`);
  for (let start = 0; start < missing.length; start += INDEX_BATCH) {
    const batch: { id: number; text: string }[] = [];
    for (const { id } of missing.slice(start, start + INDEX_BATCH)) {
      const row = db.get<{ body: string }>(sql`SELECT body FROM posts WHERE id = ${id}`);
      if (row) batch.push({ id, text: await plainTextForIndex(row.body) });
    }
    db.transaction((tx) => {
      for (const { id, text } of batch) {
        // Edited (and so indexed) while its text was being made: that index is newer.
        if (!tx.get(sql`SELECT 1 FROM posts_fts WHERE rowid = ${id}`)) indexPost(tx, id, text);
      }
    });
  }
  return missing.length;
}

/** A stored body was rendered when it was written; should it now be refused, its title, summary and tags are still indexed. */
async function plainTextForIndex(body: string): Promise<string> {
  try {
    return await markdownToPlainText(body, Infinity);
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation') return '';
    throw error;
  }
}

/**
 * Turns what a reader typed into a safe FTS5 query: "quoted phrases" stay phrases, other words
 * are quoted one by one (so AND, OR, NOT, *, ( and " are only ever text), -word excludes a word,
 * and the last word matches as a prefix while it is being typed. Returns null when nothing is left.
 */
export function toFtsQuery(input: string): string | null {
  const phrases: string[] = [];
  const excluded: string[] = [];
  const text = input.replace(/"([^"]*)"/g, (_match, phrase: string) => {
    const words = phrase.match(/[\p{L}\p{N}]+/gu);
    if (words) phrases.push(`"${words.join(' ')}"`);
    return ' ';
  });
  const parts = text.split(/\s+/).filter(Boolean);
  const words: string[] = [];
  parts.forEach((part, index) => {
    const tokens = part.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (tokens.length === 0) return;
    if (part.startsWith('-') && tokens.length === 1) return void excluded.push(`"${tokens[0]}"`);
    const isLast = index === parts.length - 1 && !/\s$/.test(input) && !input.trimEnd().endsWith('"');
    tokens.forEach((token, i) => words.push(isLast && i === tokens.length - 1 ? `"${token}"*` : `"${token}"`));
  });
  const positive = [...phrases, ...words];
  if (positive.length === 0) return null;
  return [positive.join(' '), ...excluded.map((word) => `NOT ${word}`)].join(' ');
}

export interface SearchResult {
  id: number;
  slug: string;
  title: string;
  summary: string;
  publishedAt: string;
  url: string;
  /** A passage around the matches, HTML-escaped, with matches wrapped in <mark>. */
  snippet: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Control characters mark matches in FTS5's snippet, so the text can be escaped before the marks become HTML.
const OPEN = '\u0002';
const CLOSE = '\u0003';
const toHtml = (snippet: string) => escapeHtml(snippet).replaceAll(OPEN, '<mark>').replaceAll(CLOSE, '</mark>');

function decodeOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o/, ''));
  if (!Number.isInteger(offset) || offset < 0 || offset > 10_000)
    throw fieldError('cursor', 'Invalid cursor: pass the nextCursor value of a previous page unchanged.');
  return offset;
}

/** Live posts matching the query, best first (bm25), with highlighted snippets. */
export function searchPosts(q: string, { limit, cursor }: { limit: number; cursor?: string }): Page<SearchResult> {
  const offset = decodeOffset(cursor);
  const match = toFtsQuery(q);
  if (!match) return { data: [], nextCursor: null };
  const now = new Date().toISOString();
  // The full-text index drives the join (CROSS JOIN fixes the order): left to itself, SQLite walks
  // the live posts and runs the MATCH once per post, seconds on a large blog instead of
  // milliseconds. Snippets are made only for the page of results, not for every match.
  const rows = getDb().all<Omit<SearchResult, 'url'> & { bodySnippet: string; summarySnippet: string }>(sql`
    WITH hits AS MATERIALIZED (
      SELECT p.id, ${sql.raw(RANK)} AS score
      FROM posts_fts CROSS JOIN posts p ON p.id = posts_fts.rowid
      WHERE posts_fts MATCH ${match} AND p.status = 'published' AND p.published_at <= ${now}
      ORDER BY score, p.id
      LIMIT ${limit + 1} OFFSET ${offset})
    SELECT p.id, p.slug, p.title, p.summary, p.published_at AS publishedAt,
      snippet(posts_fts, 2, ${OPEN}, ${CLOSE}, '…', 24) AS bodySnippet,
      snippet(posts_fts, 1, ${OPEN}, ${CLOSE}, '…', 24) AS summarySnippet
    FROM hits JOIN posts_fts ON posts_fts.rowid = hits.id JOIN posts p ON p.id = hits.id
    WHERE posts_fts MATCH ${match}
    ORDER BY hits.score, hits.id`);
  const data = rows.slice(0, limit).map(({ bodySnippet, summarySnippet, ...row }) => ({
    ...row,
    url: absoluteUrl(postPath(row.slug)),
    // Prefer the passage of the text that matched; fall back to the summary.
    snippet: toHtml(bodySnippet.includes(OPEN) || !summarySnippet.includes(OPEN) ? bodySnippet : summarySnippet),
  }));
  return { data, nextCursor: rows.length > limit ? Buffer.from(`o${offset + limit}`).toString('base64url') : null };
}
