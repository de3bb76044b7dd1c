import 'server-only';
import { Readable } from 'node:stream';
import { type IndexItem, SitemapIndexStream, streamToPromise } from 'sitemap';
import { getDb } from '@/db';
import { notFound } from '@/lib/errors';
import { cachedResponse } from '@/lib/http';
import { absoluteUrl, postPath } from '@/lib/site/paths';
import { tagPath } from '@/lib/content/tags';

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

/** When a live post last changed: the lastmod of the pages shard and of its URLs. */
function newestChange(now: string): string | null {
  const row = getDb().$client.prepare(`SELECT max(p.updated_at) AS lastmod FROM posts p WHERE ${LIVE}`).get({ now });
  return (row as { lastmod: string | null }).lastmod;
}

/** The shards that have at least one URL, with the newest change in each. */
export function listShards(now = new Date().toISOString()): IndexItem[] {
  const sqlite = getDb().$client;
  const newest = newestChange(now);
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
    { url: absoluteUrl('/sitemaps/pages.xml'), ...(newest ? { lastmod: newest } : {}) },
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
 * The rows of a shard in batches, one query each, each after the last id of the one before. No
 * statement stays open between batches: better-sqlite3 refuses every other statement on the
 * connection while an iterator is open, so a crawler reading a shard slowly, or hanging up
 * halfway, would otherwise block every write of the blog.
 */
function* inBatches<Row extends { id: number }>(query: string, range: { now: string; from: number; to: number }): Generator<Row[]> {
  const statement = getDb().$client.prepare(`${query} LIMIT ${BATCH}`);
  for (let from = range.from; ;) {
    const rows = statement.all({ ...range, from }) as Row[];
    if (rows.length > 0) yield rows;
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

type UrlEntry = { url: string; lastmod?: string | null; changefreq: 'daily' | 'weekly'; priority: number };

export const URLSET_OPEN = '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">';
export const URLSET_CLOSE = '</urlset>';

// Text content needs only these three escaped (as the sitemap package does); URLs here are ASCII.
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escapeXml = (text: string) => text.replace(/[&<>]/g, (char) => XML_ESCAPES[char]!);

/**
 * One <url> element, byte for byte as the sitemap package's SitemapStream writes it (a test holds
 * the two together). Shards are written with this instead of SitemapStream because the stream
 * normalises, validates and passes on each URL as a stream object: ten times slower, over a second
 * for a full 50,000-URL shard. Our URLs are absolute, built from SITE_URL and slugs.
 */
export function urlElement({ url, lastmod, changefreq, priority }: UrlEntry): string {
  const modified = lastmod ? `<lastmod>${escapeXml(lastmod)}</lastmod>` : '';
  return `<url><loc>${escapeXml(url)}</loc>${modified}<changefreq>${changefreq}</changefreq><priority>${priority.toFixed(1)}</priority></url>`;
}

/** A shard's XML, one string per batch of rows. */
function* shardXml(shard: Shard, now: string): Generator<string> {
  yield URLSET_OPEN;
  if (shard.kind === 'pages') {
    const lastmod = newestChange(now);
    yield (
      urlElement({ url: absoluteUrl('/'), lastmod, changefreq: 'daily', priority: 1 }) +
      urlElement({ url: absoluteUrl('/tags'), lastmod, changefreq: 'weekly', priority: 0.5 })
    );
  } else {
    type Row = { id: number; slug: string; lastmod: string };
    const range = rangeOf(shard, now);
    const [query, path, priority] =
      shard.kind === 'posts'
        ? [`SELECT p.id, p.slug, p.updated_at AS lastmod ${POSTS_IN_RANGE} ORDER BY p.id`, postPath, 0.8]
        : [`SELECT t.id, t.slug, max(p.updated_at) AS lastmod ${TAGS_IN_RANGE} GROUP BY t.id ORDER BY t.id`, tagPath, 0.5];
    for (const rows of inBatches<Row>(query, range)) {
      yield rows
        .map((row) => urlElement({ url: absoluteUrl(path(row.slug)), lastmod: row.lastmod, changefreq: 'weekly', priority }))
        .join('');
    }
  }
  yield URLSET_CLOSE;
}

const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' };

/**
 * The index, built once and served from the cache (with an ETag) until a post changes: finding the
 * shards aggregates over every post, too much work to repeat for each crawler's request.
 */
export function sitemapIndexResponse(request: Request): Promise<Response> {
  return cachedResponse(request, { key: ['sitemap-index'], tags: [], contentType: XML_HEADERS['Content-Type'] }, async () =>
    String(await streamToPromise(Readable.from(listShards()).pipe(new SitemapIndexStream()))),
  );
}

/**
 * One shard, streamed: each batch of rows is read and turned into XML when the client is ready for
 * more, so a slow crawler holds one batch in memory and a vanished one stops the reading.
 */
export function sitemapShardResponse(file: string): Response {
  const shard = parseShard(file);
  const now = new Date().toISOString();
  if (!shardExists(shard, now)) throw notFound('Sitemap');
  const chunks = shardXml(shard, now);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      chunks.return(undefined);
    },
  });
  return new Response(body, { headers: XML_HEADERS });
}
