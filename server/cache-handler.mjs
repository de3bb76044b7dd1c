// @ts-check
/*
 * Next's cache handler (next.config.mjs `cacheHandler`) for pages, route handlers and unstable_cache:
 * Next's own in-memory cache (an LRU of cacheMaxMemorySize, nothing written to disk), plus cache-tag
 * expiry shared through the blog's database, so a write in one server process (a worker of
 * WORKERS=N, or a second server during a restart) expires the pages and data of every other one
 * on their next request. The expiry times live in lib/shared-cache-tags/, which instrumentation.ts
 * sets up on the process's own database connection. Next imports this file by path at run time,
 * outside the app's bundle, hence plain JavaScript and a global to find that object by.
 *
 * With REDIS_URL (lib/redis-cache.mjs, connected by instrumentation.ts) the entries live in Redis
 * instead of this process's memory, shared by every instance on any machine, and expiring a tag
 * writes it to Redis as well as to the database. Either way the tag is also expired in this
 * process's own memory (Next's tag manifest), so a Redis that fails never makes it serve stale.
 *
 * Not-found answers (a page or route that answered 404, data that found nothing) never go to the
 * shared cache: anyone can ask for endless unknown slugs and cursors, and each such entry used to
 * evict a real page from memory or add ~50 KB to Redis. They are kept in a small LRU of their own
 * per process (NOT_FOUND_CACHE_BYTES), so a dead link read again is still served from memory.
 * Other error answers are not cached at all.
 *
 * Built on Next's internals, by choice: FileSystemCache (Next's memory cache), its LRU, its tag
 * manifest and the cache-tags header come from next/dist, which is not public API. Next's public
 * cacheHandler interface (get, set, revalidateTag, resetRequestCache) would mean a memory cache of
 * our own, and has no way at all to expire a tag in Next's tag manifest outside a request (what
 * expireTagsNow does; Next's IncrementalCache checks that manifest on every read). So package.json
 * pins next to one version, and tests/next-internals.test.ts checks that each module below still
 * loads and has what this file uses: an upgrade that moves or changes one fails there, saying what
 * to do, and not here on a live request.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ENTRY_TTL_SECONDS, getRedisCache } from '../lib/redis-cache.mjs';

const require = createRequire(import.meta.url);
// Next's internals (see the top of this file); tests/next-internals.test.ts lists the same modules.
/** @type {typeof import('next/dist/server/lib/incremental-cache/file-system-cache').default} */
const FileSystemCache = require('next/dist/server/lib/incremental-cache/file-system-cache').default;
const { NEXT_CACHE_TAGS_HEADER } = require('next/dist/lib/constants');
/** @type {typeof import('next/dist/server/lib/lru-cache').LRUCache} */
const LRUCache = require('next/dist/server/lib/lru-cache').LRUCache;
/** @type {typeof import('next/dist/server/lib/incremental-cache/tags-manifest.external')} */
const { areTagsExpired, tagsManifest } = require('next/dist/server/lib/incremental-cache/tags-manifest.external');
/** @typedef {InstanceType<typeof FileSystemCache>} MemoryCache */

/**
 * @typedef {{ expire(tags: readonly string[], durations?: { expire?: number }): void | Promise<void>;
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

/** @type {Map<string, string>} */
const buildIds = new Map();
/** The build's id (entries of another build are not this one's pages), read once per build folder. */
function buildIdOf(/** @type {string} */ serverDistDir) {
  let id = buildIds.get(serverDistDir);
  if (id === undefined) {
    try {
      id = fs.readFileSync(path.join(serverDistDir, '..', 'BUILD_ID'), 'utf8').trim();
    } catch {
      id = 'development';
    }
    buildIds.set(serverDistDir, id);
  }
  return id;
}

/**
 * How long Redis keeps an entry: its own `expire` when Next gives one, else the longest Redis keeps any.
 * @param {any} data @param {any} ctx
 */
function ttlOf(data, ctx) {
  const expire = ctx?.fetchCache ? undefined : ctx?.cacheControl?.expire;
  return typeof expire === 'number' && expire > 0 ? expire : ENTRY_TTL_SECONDS;
}

/**
 * Room for not-found answers in each process: about 40 not-found pages (~50 KB each, the layout
 * included) and thousands of empty data entries. Small, because a reader can fill it at will.
 */
export const NOT_FOUND_CACHE_BYTES = 2 * 2 ** 20;

/**
 * What an entry is: `not-found` for a 404 page or route answer and for cached data that found
 * nothing (a loader's `null`); `error` for any other 4xx/5xx answer; `ok` otherwise.
 * @param {any} value what Next asks to store
 * @returns {'ok' | 'not-found' | 'error'}
 */
export function classifyEntry(value) {
  if (value?.kind === 'FETCH') return value.data?.body === 'null' ? 'not-found' : 'ok';
  const status = value?.status;
  if (typeof status !== 'number' || status < 400) return 'ok';
  return status === 404 || status === 410 ? 'not-found' : 'error';
}

/** Roughly the bytes an entry holds, as Next's own memory cache counts them. @param {any} value */
function sizeOf(value) {
  if (value?.kind === 'FETCH') return JSON.stringify(value.data ?? '').length;
  if (value?.kind === 'APP_ROUTE') return value.body?.length ?? 0;
  let size = (value?.html?.length ?? 0) + (value?.rscData?.length ?? 0);
  for (const [segment, buffer] of value?.segmentData ?? []) size += segment.length + (buffer?.length ?? 0);
  return size;
}

/**
 * Expires tags for every process and instance that shares them: in the database's expiry table and
 * in Redis. Never throws: the write that expired them has committed, and failing its response
 * would not undo it.
 * @param {readonly string[]} tags
 * @param {{ expire?: number } | undefined} durations
 * @param {SharedTags | undefined} shared
 * @param {import('../lib/redis-cache.mjs').RedisCache | undefined} redis
 */
async function expireShared(tags, durations, shared, redis) {
  try {
    await shared?.expire(tags, durations);
  } catch (error) {
    warnOnce(error);
  }
  await redis?.expire(tags, durations?.expire ?? 0);
}

/**
 * Expires tags at once outside a request, where Next's revalidateTag cannot be called (it needs a
 * request's store): what revalidateTag does at the end of one, in this process's memory (Next's tag
 * manifest, which Next checks on every entry it reads) and for every other. For the clock that
 * publishes scheduled posts (lib/content/publication-clock.ts), through lib/cache.ts.
 * @param {readonly string[]} tags
 */
export async function expireTagsNow(tags, getShared = processTags, getRedis = getRedisCache) {
  const now = Date.now();
  for (const tag of tags) tagsManifest.set(tag, { ...tagsManifest.get(tag), stale: now, expired: now });
  await expireShared(tags, { expire: 0 }, getShared(), getRedis());
}

/** Found by lib/cache.ts, which the app's bundles hold a copy of, while Next loads this file by path. */
/** @type {Record<symbol, unknown>} */ (globalThis)[Symbol.for('quire.expireTagsNow')] = expireTagsNow;

/**
 * Builds the handler over given shared tags and Redis cache (tests stand in for two processes or
 * two machines this way).
 * @param {() => SharedTags | undefined} [getShared]
 * @param {() => import('../lib/redis-cache.mjs').RedisCache | undefined} [getRedis]
 */
export function createCacheHandler(getShared = processTags, getRedis = getRedisCache) {
  /** This process's not-found answers, apart from real pages (see the top of this file). */
  const notFound = new LRUCache(NOT_FOUND_CACHE_BYTES, (/** @type {any} */ entry, /** @type {string} */ key) =>
    Math.max(1, key.length + sizeOf(entry.value)),
  );
  return class QuireCacheHandler extends FileSystemCache {
    /** @param {ConstructorParameters<typeof FileSystemCache>[0]} ctx */
    constructor(ctx) {
      super(ctx);
      this.redis = getRedis();
      this.buildId = this.redis ? buildIdOf(ctx.serverDistDir ?? '') : '';
      /** Tags expired earlier in this request (Next's own check for them is private to its class). */
      this.expiredInRequest = ctx.revalidatedTags ?? [];
    }

    /**
     * @override
     * @param {Parameters<MemoryCache['get']>[0]} key
     * @param {Parameters<MemoryCache['get']>[1]} ctx
     */
    async get(key, ctx) {
      const data =
        (await this.#getNotFound(key, ctx)) ?? (this.redis ? await this.#getFromRedis(this.redis, key, ctx) : await super.get(key, ctx));
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
     * A not-found answer kept by this process, unless one of its tags expired since (a post was
     * created under that slug here, or on another instance through Redis); the shared check follows in get().
     * @param {string} key @param {any} ctx
     * @returns {Promise<any>}
     */
    async #getNotFound(key, ctx) {
      const data = notFound.get(key);
      if (!data) return null;
      const tags = tagsOf(data, ctx);
      const expired =
        tags.some((tag) => this.expiredInRequest.includes(tag)) ||
        areTagsExpired(tags, data.lastModified) ||
        (this.redis !== undefined && (await this.redis.isExpired(tags, data.lastModified)));
      if (!expired) return data;
      notFound.remove(key);
      return null;
    }

    /**
     * An entry from Redis unless one of its tags expired since it was stored (on any instance).
     * @param {import('../lib/redis-cache.mjs').RedisCache} redis @param {string} key @param {any} ctx
     * @returns {Promise<any>}
     */
    async #getFromRedis(redis, key, ctx) {
      const entry = await redis.get(redis.entryKey(this.buildId, key));
      if (!entry) return null;
      const data = { lastModified: entry.lastModified, value: entry.value, cacheControl: entry.cacheControl };
      return (await redis.isExpired(tagsOf(data, ctx), entry.lastModified)) ? null : data;
    }

    /**
     * @override
     * @param {Parameters<MemoryCache['set']>[0]} key
     * @param {Parameters<MemoryCache['set']>[1]} data
     * @param {Parameters<MemoryCache['set']>[2]} ctx
     */
    async set(key, data, ctx) {
      const cacheControl = ctx.fetchCache ? undefined : ctx.cacheControl;
      const kind = classifyEntry(data);
      // A real answer under this key from now on; the not-found one must not shadow it.
      notFound.remove(key);
      if (kind === 'not-found') {
        notFound.set(key, { value: data, lastModified: Date.now(), cacheControl });
        return;
      }
      if (kind === 'error') return;
      if (!this.redis) return super.set(key, data, ctx);
      // What FileSystemCache keeps in memory, kept in Redis instead.
      await this.redis.set(
        this.redis.entryKey(this.buildId, key),
        { value: data, lastModified: Date.now(), cacheControl },
        ttlOf(data, ctx),
      );
    }

    /**
     * @override
     * @param {Parameters<MemoryCache['revalidateTag']>[0]} tags
     * @param {Parameters<MemoryCache['revalidateTag']>[1]} durations
     */
    async revalidateTag(tags, durations) {
      // Next's tag manifest in this process: its entries, and those it reads from Redis, follow at once.
      await super.revalidateTag(tags, durations);
      await expireShared(typeof tags === 'string' ? [tags] : tags, durations, getShared(), this.redis);
    }
  };
}

export default createCacheHandler();
