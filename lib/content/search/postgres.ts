import { type SQL, sql } from 'drizzle-orm';
import { queryRows, transaction } from '@/db';
import { CLOSE, OPEN, type ParsedQuery, type SearchRow } from '@/lib/content/search/query';

/*
 * Search on PostgreSQL: post_search (db/postgres/migrations/0002_search_index.sql) holds each post's
 * plain text; its generated `document` (stemmed, quire_english) and `prefix_document` (as written,
 * quire_simple) are GIN-indexed. The same parsed query and the same results as FTS5 on SQLite.
 */

/** Title 10, tags 6, summary 4, body 1, as bm25's weights on SQLite; ts_rank takes them as {D, C, B, A}. */
const WEIGHTS = sql.raw(`'{0.1, 0.4, 0.6, 1.0}'::float4[]`);

/** Writes one post's text to post_search (see index.ts's indexPost); without `bodyText` the body indexed before is kept. */
export async function indexPost(postId: number, bodyText?: string): Promise<void> {
  const [row] = await queryRows<{ title: string; summary: string; tags: string; body: string | null }>(sql`
    SELECT p.title, p.summary,
      coalesce((SELECT string_agg(t.name, ' ' ORDER BY pt.position) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id), '') AS tags,
      (SELECT s.body FROM post_search s WHERE s.post_id = p.id) AS body
    FROM posts p WHERE p.id = ${postId}`);
  const body = bodyText ?? row?.body ?? undefined;
  if (!row || body === undefined) {
    await queryRows(sql`DELETE FROM post_search WHERE post_id = ${postId}`);
    return;
  }
  // A tsvector holds at most 1 MB of words and positions: a long post of that many distinct words
  // (POST_MAX_BYTES allows 1 MiB of text, and more) is indexed from its start, halved until it fits.
  await transaction(async () => {
    for (let text = body; ; text = text.slice(0, Math.floor(text.length / 2))) {
      await queryRows(sql`SAVEPOINT post_search_body`);
      try {
        await queryRows(sql`INSERT INTO post_search (post_id, title, summary, body, tags)
          VALUES (${postId}, ${row.title}, ${row.summary}, ${text}, ${row.tags})
          ON CONFLICT (post_id) DO UPDATE SET title = excluded.title, summary = excluded.summary, body = excluded.body, tags = excluded.tags`);
        await queryRows(sql`RELEASE SAVEPOINT post_search_body`);
        return;
      } catch (error) {
        await queryRows(sql`ROLLBACK TO SAVEPOINT post_search_body`);
        if (!isTooLongForTsvector(error) || text === '') throw error;
      }
    }
  });
}

/** PostgreSQL's "string is too long for tsvector" (program_limit_exceeded), however the driver wraps it. */
function isTooLongForTsvector(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as Error & { code?: string }).code === '54000') return true;
  }
  return false;
}

export async function isIndexed(postId: number): Promise<boolean> {
  return (await queryRows(sql`SELECT 1 FROM post_search WHERE post_id = ${postId}`)).length > 0;
}

/** Posts with no row in post_search. */
export async function missingPosts(): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    sql`SELECT p.id FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_search s WHERE s.post_id = p.id) ORDER BY p.id`,
  );
  return rows.map((row) => row.id);
}

interface Queries {
  /** The words (and exclusions) as a websearch query; null without any. */
  words: SQL | null;
  /** The word being typed, as a prefix of a word as written, and of a stem; null without one. */
  typed: { asWritten: SQL; stemmed: SQL } | null;
}

/**
 * The parsed words are already quoted letters and digits, so websearch_to_tsquery sees no operator the
 * reader did not mean, and never fails; the prefix is one quoted lexeme (quote_literal) followed by :*.
 */
function toQueries({ positive, excluded, prefix }: ParsedQuery): Queries {
  const text = [...positive, ...excluded.map((word) => `-${word}`)].join(' ');
  const typed = prefix === null ? null : `${prefix.slice(1, -1)}`;
  return {
    words: text ? sql`websearch_to_tsquery('quire_english', ${text})` : null,
    typed:
      typed === null
        ? null
        : {
            asWritten: sql`to_tsquery('quire_simple', quote_literal(${typed}::text) || ':*')`,
            stemmed: sql`to_tsquery('quire_english', quote_literal(${typed}::text) || ':*')`,
          },
  };
}

/** The condition on post_search `s` for a post to match. */
function matches({ words, typed }: Queries): SQL {
  const conditions = [
    words && sql`s.document @@ ${words}`,
    typed && sql`(s.prefix_document @@ ${typed.asWritten} OR s.document @@ ${typed.stemmed})`,
  ].filter((condition) => condition !== null);
  return conditions.length > 0 ? sql.join(conditions, sql` AND `) : sql`false`;
}

/** The author's search (drafts included): the ids of matching posts, for `posts.id IN (...)`. */
export function matchingPostIds(parsed: ParsedQuery): SQL {
  return sql`SELECT s.post_id FROM post_search s WHERE ${matches(toQueries(parsed))}`;
}

/** Live posts matching, best first (ts_rank), one page of them with ts_headline snippets. */
export async function searchPosts(parsed: ParsedQuery, { limit, offset }: { limit: number; offset: number }): Promise<SearchRow[]> {
  const queries = toQueries(parsed);
  const { words, typed } = queries;
  const now = new Date().toISOString();
  const rank = [
    words && sql`ts_rank(${WEIGHTS}, s.document, ${words})`,
    typed && sql`ts_rank(${WEIGHTS}, s.prefix_document, ${typed.asWritten})`,
  ].filter((part) => part !== null);
  // Marks the stemmed words when there are any (a stem does not start with the typed prefix), else the prefix as typed.
  const [config, marked] =
    parsed.positive.length > 0 && words
      ? [sql.raw(`'quire_english'`), typed ? sql`(${words} || ${typed.stemmed})` : words]
      : [sql.raw(`'quire_simple'`), typed?.asWritten ?? sql`''::tsquery`];
  const options = `StartSel=${OPEN}, StopSel=${CLOSE}, MaxWords=24, MinWords=12, MaxFragments=1, FragmentDelimiter=…`;
  // ts_headline drops what its parser takes for HTML tags and entities; the text is plain, so "<" and
  // "&" are only text: they pass through it as control characters and are put back below.
  const headline = (column: SQL) => sql`ts_headline(${config}, translate(${column}, '<&', ${HIDDEN}), ${marked}, ${options})`;
  const rows = await queryRows<SearchRow>(sql`
    WITH hits AS MATERIALIZED (
      SELECT p.id, ${sql.join(rank, sql` + `)} AS score, s.body, s.summary
      FROM post_search s JOIN posts p ON p.id = s.post_id
      WHERE ${matches(queries)} AND p.status = 'published' AND p.published_at <= ${now}
      ORDER BY score DESC, p.id
      LIMIT ${limit + 1} OFFSET ${offset})
    SELECT p.id, p.slug, p.title, p.summary, p.published_at AS "publishedAt",
      ${headline(sql`hits.body`)} AS "bodySnippet", ${headline(sql`hits.summary`)} AS "summarySnippet"
    FROM hits JOIN posts p ON p.id = hits.id
    ORDER BY hits.score DESC, hits.id`);
  const unhide = (text: string | null) => text && text.replaceAll(HIDDEN[0]!, '<').replaceAll(HIDDEN[1]!, '&');
  return rows.map((row) => ({ ...row, bodySnippet: unhide(row.bodySnippet), summarySnippet: unhide(row.summarySnippet) }));
}

/** Stand-ins for "<" and "&" inside ts_headline: control characters, which the stored plain text never holds. */
const HIDDEN = '\u0001\u0004';
