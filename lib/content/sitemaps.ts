import 'server-only';
import { Readable } from 'node:stream';
import { and, asc, eq, gt, lte, max, sql } from 'drizzle-orm';
import { type IndexItem, SitemapIndexStream, streamToPromise } from 'sitemap';
import { getDb } from '@/db';
import { postTags, posts, tags } from '@/db/schema';
import { notFound } from '@/lib/errors';
import { cachedResponse } from '@/lib/http';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { postPath } from '@/lib/site/paths';
import { isLive } from '@/lib/content/posts';
import { tagPath } from '@/lib/content/tags';

/*
 * A sitemap index at /sitemap.xml naming shards of at most 50,000 URLs (the protocol's limit; at
 * about 200 bytes a URL a shard stays far under 50 MB). Posts and tags are sharded by id range, so
 * a shard is a walk along the primary key, streamed out in batches: memory does not grow with the blog.
 */

export const SHARD_SIZE = 50_000;

type Shard = { kind: 'pages' } | { kind: 'posts' | 'tags'; number: number };

function parseShard(file: string): Shard {
  if (file === 'pages.xml') return { kind: 'pages' };
  const match = /^(posts|tags)-([1-9]\d{0,6})\.xml$/.exec(file);
  if (!match) throw notFound('Sitemap');
  return { kind: match[1] as 'posts' | 'tags', number: Number(match[2]) };
}

/** When a live post last changed: the lastmod of the pages shard and of its URLs. */
async function newestChange(now: string): Promise<string | null> {
  const [row] = await getDb()
    .select({ lastmod: max(posts.updatedAt) })
    .from(posts)
    .where(isLive(now));
  return row?.lastmod ?? null;
}

/**
 * The shard an id falls in. The size is written into the SQL, not bound: PostgreSQL matches the
 * GROUP BY expression with the selected one by their text, and two parameters never match.
 */
const shardOf = (id: typeof posts.id | typeof postTags.tagId) =>
  sql<number>`(${id} - 1) / ${sql.raw(String(SHARD_SIZE))} + 1`.mapWith(Number);

/** The shards that have at least one URL, with the newest change in each. */
export async function listShards(now = new Date().toISOString()): Promise<IndexItem[]> {
  const db = getDb();
  const [newest, postShards, tagShards] = await Promise.all([
    newestChange(now),
    db
      .select({ number: shardOf(posts.id), lastmod: max(posts.updatedAt) })
      .from(posts)
      .where(isLive(now))
      .groupBy(sql`1`)
      .orderBy(sql`1`),
    db
      .select({ number: shardOf(postTags.tagId), lastmod: max(posts.updatedAt) })
      .from(postTags)
      .innerJoin(posts, eq(posts.id, postTags.postId))
      .where(isLive(now))
      .groupBy(sql`1`)
      .orderBy(sql`1`),
  ]);
  return [
    { url: absoluteUrl('/sitemaps/pages.xml'), ...(newest ? { lastmod: newest } : {}) },
    ...postShards.map(({ number, lastmod }) => ({ url: absoluteUrl(`/sitemaps/posts-${number}.xml`), lastmod: lastmod! })),
    ...tagShards.map(({ number, lastmod }) => ({ url: absoluteUrl(`/sitemaps/tags-${number}.xml`), lastmod: lastmod! })),
  ];
}

type Range = { now: string; from: number; to: number };

const rangeOf = (shard: { number: number }, now: string): Range => ({
  now,
  from: (shard.number - 1) * SHARD_SIZE,
  to: shard.number * SHARD_SIZE,
});

/** Rows read per query while a shard streams out. */
const BATCH = 1_000;

type Row = { id: number; slug: string; lastmod: string };

/**
 * Up to BATCH URLs of a shard after the id `from`, in id order: live posts by id, or tags (with
 * their newest live post's change) by tag id, each a walk along a primary key.
 */
function batchOf(kind: 'posts' | 'tags', { now, from, to }: Range): Promise<Row[]> {
  const db = getDb();
  if (kind === 'posts') {
    return db
      .select({ id: posts.id, slug: posts.slug, lastmod: posts.updatedAt })
      .from(posts)
      .where(and(gt(posts.id, from), lte(posts.id, to), isLive(now)))
      .orderBy(asc(posts.id))
      .limit(BATCH);
  }
  return db
    .select({ id: tags.id, slug: tags.slug, lastmod: sql<string>`max(${posts.updatedAt})` })
    .from(tags)
    .innerJoin(postTags, eq(postTags.tagId, tags.id))
    .innerJoin(posts, eq(posts.id, postTags.postId))
    .where(and(gt(tags.id, from), lte(tags.id, to), isLive(now)))
    .groupBy(tags.id)
    .orderBy(asc(tags.id))
    .limit(BATCH);
}

/**
 * The rows of a shard in batches, one query each, each after the last id of the one before. No
 * statement stays open between batches: better-sqlite3 refuses every other statement on the
 * connection while an iterator is open, and a PostgreSQL cursor would hold a pooled connection,
 * so a crawler reading a shard slowly, or hanging up halfway, would otherwise block the blog.
 */
async function* inBatches(kind: 'posts' | 'tags', range: Range): AsyncGenerator<Row[]> {
  for (let from = range.from; ;) {
    const rows = await batchOf(kind, { ...range, from });
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
    from = rows.at(-1)!.id;
  }
}

/** Whether a numbered shard has any URL (one indexed range probe), so empty ones are 404s. */
async function shardExists(shard: Shard, now: string): Promise<boolean> {
  if (shard.kind === 'pages') return true;
  const range = rangeOf(shard, now);
  const db = getDb();
  const [row] =
    shard.kind === 'posts'
      ? await db
          .select({ id: posts.id })
          .from(posts)
          .where(and(gt(posts.id, range.from), lte(posts.id, range.to), isLive(now)))
          .limit(1)
      : await db
          .select({ id: tags.id })
          .from(tags)
          .innerJoin(postTags, eq(postTags.tagId, tags.id))
          .innerJoin(posts, eq(posts.id, postTags.postId))
          .where(and(gt(tags.id, range.from), lte(tags.id, range.to), isLive(now)))
          .limit(1);
  return row !== undefined;
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
async function* shardXml(shard: Shard, now: string): AsyncGenerator<string> {
  yield URLSET_OPEN;
  if (shard.kind === 'pages') {
    const lastmod = await newestChange(now);
    yield (
      urlElement({ url: absoluteUrl('/'), lastmod, changefreq: 'daily', priority: 1 }) +
      urlElement({ url: absoluteUrl('/tags'), lastmod, changefreq: 'weekly', priority: 0.5 })
    );
  } else {
    const [path, priority] = shard.kind === 'posts' ? [postPath, 0.8] : [tagPath, 0.5];
    for await (const rows of inBatches(shard.kind, rangeOf(shard, now))) {
      yield rows
        .map((row) => urlElement({ url: absoluteUrl(path(row.slug)), lastmod: row.lastmod, changefreq: 'weekly', priority }))
        .join('');
    }
  }
  yield URLSET_CLOSE;
}

// Revalidated on every request, as the index is: a shard held five minutes by a CDN kept a scheduled post out that long.
const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, no-cache' };

/**
 * The index, built once and served from the cache (with an ETag) until a post changes: finding the
 * shards aggregates over every post, too much work to repeat for each crawler's request.
 */
export function sitemapIndexResponse(request: Request): Promise<Response> {
  return cachedResponse(request, { key: ['sitemap-index'], tags: [], contentType: XML_HEADERS['Content-Type'] }, async () =>
    String(await streamToPromise(Readable.from(await listShards()).pipe(new SitemapIndexStream()))),
  );
}

/**
 * One shard, streamed: each batch of rows is read and turned into XML when the client is ready for
 * more, so a slow crawler holds one batch in memory and a vanished one stops the reading.
 */
export async function sitemapShardResponse(file: string): Promise<Response> {
  const shard = parseShard(file);
  const now = new Date().toISOString();
  if (!(await shardExists(shard, now))) throw notFound('Sitemap');
  const chunks = shardXml(shard, now);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, { headers: XML_HEADERS });
}
