import { revalidateTag, unstable_cache } from 'next/cache';
import { getRedisCache } from '@/lib/redis-cache.mjs';

/**
 * Cache tags: every cached page and API answer carries the tags of the data it shows, and every
 * write expires exactly the tags whose data it changed.
 * - `content`: everything public. Post writes and settings changes expire it; they are rare and
 *   a post shows up in lists, feeds, sitemaps, search, tag pages and its neighbours' links.
 * - `post:{slug}`: one post's page, its API item and its comments.
 * - `comment:{id}`: one comment's API item.
 * A new approved comment thus expires its post and its comment, not other pages. Post lists (home,
 * tag pages, `GET /api/posts`) show comment counts that may lag by up to CACHE_SECONDS.
 */
export const tags = {
  content: 'content',
  post: (slug: string) => `post:${slug}`,
  comment: (id: number) => `comment:${id}`,
};

/**
 * Cached entries also expire after this long, a safety net behind tag expiry: a write made where
 * nothing expires tags shows up without a restart. Scheduled posts do not wait for it: each server
 * process expires the `content` tag at their time (lib/content/publication-clock.ts).
 */
export const CACHE_SECONDS = 60;

/** Outside the Next server (tests, scripts) there is no cache to read or expire. */
const inNextServer = () => process.env.NEXT_RUNTIME === 'nodejs';

/**
 * What a cache entry depends on: a name for the kind of data, then every input that changes it.
 * `null` stands for an absent input. The parts are encoded as one JSON array, so no two different
 * keys can share an entry (joined with commas, `?tag=undefined` and no tag at all used to).
 */
export type CacheKey = readonly [kind: string, ...inputs: (string | number | boolean | null)[]];

export const encodeCacheKey = (key: CacheKey): string => JSON.stringify(key);

/**
 * Runs `load` once and serves its JSON-serialisable result from Next's data cache until one of
 * `entryTags` is expired. When a page renders, the tags also mark the page, so it expires too.
 */
export function cached<T>(key: CacheKey, entryTags: string[], load: () => T | Promise<T>): Promise<T> {
  if (!inNextServer()) return Promise.resolve(load());
  // Next adds the callback's source to the key, and it is the same here for every entry.
  return unstable_cache(async () => load(), [encodeCacheKey(key)], {
    tags: [tags.content, ...entryTags],
    revalidate: CACHE_SECONDS,
  })();
}

/**
 * Expires tagged entries at once (not stale-while-revalidate), so whoever wrote reads their own
 * write on the next request. Call after the write has committed.
 */
export function expire(...expired: string[]): void {
  if (!inNextServer()) return;
  try {
    for (const tag of new Set(expired)) revalidateTag(tag, { expire: 0 });
  } catch (error) {
    // Writes outside a request (demo content seeded at start-up) come before anything is cached.
    if (!(error instanceof Error && error.message.includes('static generation store missing'))) throw error;
  }
}

/**
 * Expires tagged entries at once from outside a request (a timer), where `expire` cannot: in this
 * process's memory and, through the shared expiry, in every other process and instance
 * (server/cache-handler.mjs registers how, once Next has loaded it; before that nothing is cached).
 */
export async function expireOutsideRequest(...expired: string[]): Promise<void> {
  if (!inNextServer()) return;
  const expireNow = (globalThis as Record<symbol, unknown>)[Symbol.for('quire.expireTagsNow')] as
    ((tags: readonly string[]) => Promise<void>) | undefined;
  await expireNow?.([...new Set(expired)]);
}

/**
 * Where cached pages and data live, for /api/health: `memory` (each process's own, no REDIS_URL),
 * `ok` (Redis answers), `degraded` (Redis does not answer in time: pages are rendered on every
 * request, slower but correct, until it does).
 */
export async function getCacheHealth(): Promise<'memory' | 'ok' | 'degraded'> {
  const redis = getRedisCache();
  return redis ? redis.health() : 'memory';
}
