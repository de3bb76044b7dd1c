// @ts-check
/*
 * Next's cache handler (next.config.mjs `cacheHandler`) for pages, route handlers and unstable_cache:
 * Next's own in-memory cache (an LRU of cacheMaxMemorySize, nothing written to disk), plus cache-tag
 * expiry shared through the blog's database, so a write in one server process (a worker of
 * WORKERS=N, or a second server during a restart) expires the pages and data of every other one
 * on their next request. The expiry times live in lib/shared-cache-tags.ts, which instrumentation.ts
 * sets up on the process's own database connection. Next imports this file by path at run time,
 * outside the app's bundle, hence plain JavaScript and a global to find that object by.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {typeof import('next/dist/server/lib/incremental-cache/file-system-cache').default} */
const FileSystemCache = require('next/dist/server/lib/incremental-cache/file-system-cache').default;
const { NEXT_CACHE_TAGS_HEADER } = require('next/dist/lib/constants');
/** @typedef {InstanceType<typeof FileSystemCache>} MemoryCache */

/**
 * @typedef {{ expire(tags: readonly string[], durations?: { expire?: number }): void;
 *   isExpired(tags: readonly string[], storedAt: number): boolean }} SharedTags
 */

const GLOBAL = Symbol.for('quire.sharedCacheTags');

/** This process's shared tags; absent during `next build` and in tests that do not set them up. */
const processTags = () => /** @type {SharedTags | undefined} */ (/** @type {Record<symbol, unknown>} */ (globalThis)[GLOBAL]);

/**
 * The tags an entry depends on: a page's or a route handler's are in its cache-tags header (with
 * the implicit `_N_T_/path` tags); an unstable_cache entry's are the ones it was asked for with.
 * @param {any} data what the store returned
 * @param {any} ctx the context Next passed to get()
 * @returns {string[]}
 */
function tagsOf(data, ctx) {
  const value = data?.value;
  if (value?.kind === 'FETCH') return [...(ctx.tags ?? []), ...(ctx.softTags ?? [])];
  const header = value?.headers?.[NEXT_CACHE_TAGS_HEADER];
  return typeof header === 'string' && header !== '' ? header.split(',') : [];
}

let warned = false;
/** The shared check failed (the database is closing, or locked for longer than its busy timeout): the local cache carries on alone. */
function warnOnce(/** @type {unknown} */ error) {
  if (warned) return;
  warned = true;
  console.error(`Quire: cache-tag expiry is not shared with other processes: ${error instanceof Error ? error.message : String(error)}`);
}

/** Builds the handler over a given set of shared tags (tests stand in for two processes this way). */
export function createCacheHandler(getShared = processTags) {
  return class QuireCacheHandler extends FileSystemCache {
    /**
     * @override
     * @param {Parameters<MemoryCache['get']>[0]} key
     * @param {Parameters<MemoryCache['get']>[1]} ctx
     */
    async get(key, ctx) {
      const data = await super.get(key, ctx);
      const shared = getShared();
      if (!data || !shared) return data;
      try {
        return shared.isExpired(tagsOf(data, ctx), data.lastModified ?? 0) ? null : data;
      } catch (error) {
        warnOnce(error);
        return data;
      }
    }

    /**
     * @override
     * @param {Parameters<MemoryCache['revalidateTag']>[0]} tags
     * @param {Parameters<MemoryCache['revalidateTag']>[1]} durations
     */
    async revalidateTag(tags, durations) {
      await super.revalidateTag(tags, durations);
      try {
        getShared()?.expire(typeof tags === 'string' ? [tags] : tags, durations);
      } catch (error) {
        // The write that expired these tags has committed; failing its response would not undo it.
        warnOnce(error);
      }
    }
  };
}

export default createCacheHandler();
