import { Readable } from 'node:stream';
import { EnumChangefreq, type IndexItem, type SitemapItemLoose, SitemapIndexStream, SitemapStream, streamToPromise } from 'sitemap';
import { getDb } from '@/db';
import { getEnv } from '@/lib/env';
import { notFound } from '@/lib/errors';
import { cachedResponse } from '@/lib/http';
import { absoluteUrl, postPath } from '@/lib/site';
import { tagPath } from '@/lib/tags';

/*
 * A sitemap index at /sitemap.xml naming shards of at most 50,000 URLs (the protocol's limit; at
 * about 200 bytes a URL a shard stays far under 50 MB). Posts and tags are sharded by id range, so
 * a shard is a walk along the primary key, streamed out in batches: memory does not grow with the blog.
 */

export const SHARD_SIZE = 50_000;

const LIVE = "p.status = 'published' AND p.published_at <= @now";

type Shard = { kind: 'pages' } | { kind: 'posts' | 'tags'; number: number };

function parseShard(file: string): Shard {
  if (file === 'pages.xml') return { kind: 'pages' };
  const match = /^(posts|tags)-([1-9]\d{0,6})\.xml$/.exec(file);
  if (!match) throw notFound('Sitemap');
  return { kind: match[1] as 'posts' | 'tags', number: Number(match[2]) };
}

/** The shards that have at least one URL, with the newest change in each. */
export function listShards(now = new Date().toISOString()): IndexItem[] {
  const sqlite = getDb().$client;
  const newest = sqlite.prepare(`SELECT max(p.updated_at) AS lastmod FROM posts p WHERE ${LIVE}`).get({ now }) as {
    lastmod: string | null;
  };
  const posts = sqlite
    .prepare(
      `SELECT (p.id - 1) / ${SHARD_SIZE} + 1 AS number, max(p.updated_at) AS lastmod FROM posts p WHERE ${LIVE} GROUP BY 1 ORDER BY 1`,
    )
    .all({ now }) as { number: number; lastmod: string }[];
  const tags = sqlite
    .prepare(
      `SELECT (pt.tag_id - 1) / ${SHARD_SIZE} + 1 AS number, max(p.updated_at) AS lastmod
       FROM post_tags pt JOIN posts p ON p.id = pt.post_id WHERE ${LIVE} GROUP BY 1 ORDER BY 1`,
    )
    .all({ now }) as { number: number; lastmod: string }[];
  return [
    { url: absoluteUrl('/sitemaps/pages.xml'), ...(newest.lastmod ? { lastmod: newest.lastmod } : {}) },
    ...posts.map(({ number, lastmod }) => ({ url: absoluteUrl(`/sitemaps/posts-${number}.xml`), lastmod })),
    ...tags.map(({ number, lastmod }) => ({ url: absoluteUrl(`/sitemaps/tags-${number}.xml`), lastmod })),
  ];
}

const POSTS_IN_RANGE = `FROM posts p WHERE p.id > @from AND p.id <= @to AND ${LIVE}`;
const TAGS_IN_RANGE = `FROM tags t JOIN post_tags pt ON pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id WHERE t.id > @from AND t.id <= @to AND ${LIVE}`;

const rangeOf = (shard: { number: number }, now: string) => ({ now, from: (shard.number - 1) * SHARD_SIZE, to: shard.number * SHARD_SIZE });

/** Rows read per query while a shard streams out. */
const BATCH = 1_000;

/**
 * The rows of a shard, one batch query at a time, each after the last id of the one before. No
 * statement stays open between batches: better-sqlite3 refuses every other statement on the
 * connection while an iterator is open, so a crawler reading a shard slowly, or hanging up
 * halfway, would otherwise block every write of the blog.
 */
function* inBatches<Row extends { id: number }>(query: string, range: { now: string; from: number; to: number }): Generator<Row> {
  const statement = getDb().$client.prepare(`${query} LIMIT ${BATCH}`);
  for (let from = range.from; ;) {
    const rows = statement.all({ ...range, from }) as Row[];
    yield* rows;
    if (rows.length < BATCH) return;
    from = rows.at(-1)!.id;
  }
}

/** Whether a numbered shard has any URL (one indexed range probe), so empty ones are 404s. */
function shardExists(shard: Shard, now: string): boolean {
  if (shard.kind === 'pages') return true;
  const from = shard.kind === 'posts' ? POSTS_IN_RANGE : TAGS_IN_RANGE;
  return getDb().$client.prepare(`SELECT 1 ${from} LIMIT 1`).get(rangeOf(shard, now)) !== undefined;
}

function* shardEntries(shard: Shard, now: string): Generator<SitemapItemLoose> {
  const sqlite = getDb().$client;
  if (shard.kind === 'pages') {
    const { lastmod } = sqlite.prepare(`SELECT max(p.updated_at) AS lastmod FROM posts p WHERE ${LIVE}`).get({ now }) as {
      lastmod: string | null;
    };
    yield { url: absoluteUrl('/'), changefreq: EnumChangefreq.DAILY, priority: 1, ...(lastmod ? { lastmod } : {}) };
    yield { url: absoluteUrl('/tags'), changefreq: EnumChangefreq.WEEKLY, priority: 0.5, ...(lastmod ? { lastmod } : {}) };
    return;
  }
  type Row = { id: number; slug: string; lastmod: string };
  const range = rangeOf(shard, now);
  if (shard.kind === 'posts') {
    for (const row of inBatches<Row>(`SELECT p.id, p.slug, p.updated_at AS lastmod ${POSTS_IN_RANGE} ORDER BY p.id`, range)) {
      yield { url: absoluteUrl(postPath(row.slug)), lastmod: row.lastmod, changefreq: EnumChangefreq.WEEKLY, priority: 0.8 };
    }
    return;
  }
  for (const row of inBatches<Row>(
    `SELECT t.id, t.slug, max(p.updated_at) AS lastmod ${TAGS_IN_RANGE} GROUP BY t.id ORDER BY t.id`,
    range,
  )) {
    yield { url: absoluteUrl(tagPath(row.slug)), lastmod: row.lastmod, changefreq: EnumChangefreq.WEEKLY, priority: 0.5 };
  }
}

const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' };
const NO_EXTRA_NAMESPACES = { news: false, video: false, xhtml: false, image: false };

/** The XML stream as a response body of bytes, sent as it is produced. */
function toResponse(stream: NodeJS.ReadableStream): Response {
  // The XML comes one <url> at a time; sending it in 64 KiB chunks saves a web-stream hop per URL.
  async function* bytes() {
    let batch = '';
    for await (const chunk of stream) {
      batch += chunk;
      if (batch.length >= 65_536) {
        yield Buffer.from(batch);
        batch = '';
      }
    }
    if (batch) yield Buffer.from(batch);
  }
  return new Response(Readable.toWeb(Readable.from(bytes())) as ReadableStream, { headers: XML_HEADERS });
}

/**
 * The index, built once and served from the cache (with an ETag) until a post changes: finding the
 * shards aggregates over every post, too much work to repeat for each crawler's request.
 */
export function sitemapIndexResponse(request: Request): Promise<Response> {
  return cachedResponse(request, { key: ['sitemap-index'], tags: [], contentType: XML_HEADERS['Content-Type'] }, async () =>
    String(await streamToPromise(Readable.from(listShards()).pipe(new SitemapIndexStream()))),
  );
}

/** One shard, streamed: rows are read from SQLite as the XML is written out. */
export function sitemapShardResponse(file: string): Response {
  const shard = parseShard(file);
  const now = new Date().toISOString();
  if (!shardExists(shard, now)) throw notFound('Sitemap');
  return toResponse(
    Readable.from(shardEntries(shard, now)).pipe(new SitemapStream({ hostname: getEnv().SITE_URL, xmlns: NO_EXTRA_NAMESPACES })),
  );
}
