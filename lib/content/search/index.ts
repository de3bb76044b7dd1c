import { type SQL, inArray } from 'drizzle-orm';
import { posts } from '@/db/schema';
import { type Dialect, getDb, getDialect, transaction } from '@/db';
import { AppError, fieldError } from '@/lib/errors';
import { markdownToPlainText } from '@/lib/render/markdown';
import type { Page } from '@/lib/pagination';
import type { SearchResult } from '@/lib/content/schemas';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { postPath } from '@/lib/site/paths';
import { CLOSE, OPEN, type SearchEngine, hasWords, parseQuery } from '@/lib/content/search/query';
import * as postgres from '@/lib/content/search/postgres';
import * as sqlite from '@/lib/content/search/sqlite';

/*
 * Full-text search, the one module the rest of Quire imports: it chooses the engine of the database
 * in use (FTS5 in sqlite.ts, PostgreSQL's text search in postgres.ts) and does what both share.
 */

const ENGINES: Record<Dialect, SearchEngine> = { sqlite, postgres };
const engine = () => ENGINES[getDialect()];

/**
 * Writes one post's searchable text to the index; called inside the transaction that changes the
 * post or its tags. `bodyText` is the plain text of its Markdown (renderPost's `text`, made before
 * the transaction: parsing is slow and runs in a worker); left out, the body text indexed before is
 * kept. A post with neither stays out of the index until indexMissingPosts adds it.
 */
export const indexPost = (postId: number, bodyText?: string): Promise<void> => engine().indexPost(postId, bodyText);

/** Posts whose plain text is made before each write transaction. */
const INDEX_BATCH = 200;

/** Indexes every post missing from the index (a database that predates search, or one edited by hand). */
export async function indexMissingPosts(): Promise<number> {
  const missing = await engine().missingPosts();
  for (let start = 0; start < missing.length; start += INDEX_BATCH) {
    const ids = missing.slice(start, start + INDEX_BATCH);
    const rows = await getDb().select({ id: posts.id, body: posts.body }).from(posts).where(inArray(posts.id, ids));
    const batch = await Promise.all(rows.map(async ({ id, body }) => ({ id, text: await plainTextForIndex(body) })));
    await transaction(async () => {
      for (const { id, text } of batch) {
        // Edited (and so indexed) while its text was being made: that index is newer.
        if (!(await engine().isIndexed(id))) await indexPost(id, text);
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
 * The author's search (drafts included): the ids of the posts matching what was typed, for
 * `posts.id IN (...)`; null for a query with no words (only symbols), which matches nothing.
 */
export function matchingPostIds(q: string): SQL | null {
  const parsed = parseQuery(q);
  return hasWords(parsed) ? engine().matchingPostIds(parsed) : null;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const toHtml = (snippet: string) => escapeHtml(snippet).replaceAll(OPEN, '<mark>').replaceAll(CLOSE, '</mark>');

function decodeOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o/, ''));
  if (!Number.isInteger(offset) || offset < 0 || offset > 10_000)
    throw fieldError('cursor', 'Invalid cursor: pass the nextCursor value of a previous page unchanged.');
  return offset;
}

/**
 * Live posts matching the query, best first, with highlighted snippets. Whole words match their
 * stems; the word being typed also matches, as written, any word it begins.
 */
export async function searchPosts(q: string, { limit, cursor }: { limit: number; cursor?: string }): Promise<Page<SearchResult>> {
  const offset = decodeOffset(cursor);
  const parsed = parseQuery(q);
  if (!hasWords(parsed)) return { data: [], nextCursor: null };
  const rows = await engine().searchPosts(parsed, { limit, offset });
  const data = rows.slice(0, limit).map(({ bodySnippet, summarySnippet, ...row }) => {
    const body = bodySnippet ?? '';
    const summary = summarySnippet ?? '';
    return {
      ...row,
      url: absoluteUrl(postPath(row.slug)),
      // Prefer the passage of the text that matched; fall back to the summary.
      snippet: toHtml(body.includes(OPEN) || !summary.includes(OPEN) ? body : summary),
    };
  });
  return { data, nextCursor: rows.length > limit ? Buffer.from(`o${offset + limit}`).toString('base64url') : null };
}
