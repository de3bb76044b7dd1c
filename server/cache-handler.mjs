// @ts-check
/*
 * Next's cache handler (next.config.mjs `cacheHandler`) for pages, route handlers and unstable_cache:
 * Next's own in-memory cache (an LRU of cacheMaxMemorySize, nothing written to disk), plus cache-tag
 * expiry shared through the blog's database, so a write in one server process (a worker of
 * WORKERS=N, or a second server during a restart) expires the pages and data of every other one
 * on their next request. The expiry times live in lib/shared-cache-tags.ts, which instrumentation.ts
 * sets up on the process's own database connection. Next imports this file by path at run time,
 * outside the app's bundle, hence plain JavaScript and a global to find that object by.
 *
 * With REDIS_URL (server/redis-cache.mjs, connected by instrumentation.ts) the entries live in Redis
 * instead of this process's memory, shared by every instance on any machine, and expiring a tag
 * writes it to Redis as well as to the database. Either way the tag is also expired in this
 * process's own memory (Next's tag manifest), so a Redis that fails never makes it serve stale.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ENTRY_TTL_SECONDS, getRedisCache } from './redis-cache.mjs';

const require = createRequire(import.meta.url);
/** @type {typeof import('next/dist/server/lib/incremental-cache/file-system-cache').default} */
const FileSystemCache = require('next/dist/server/lib/incremental-cache/file-system-cache').default;
const { NEXT_CACHE_TAGS_HEADER } = require('next/dist/lib/constants');
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
 * Builds the handler over given shared tags and Redis cache (tests stand in for two processes or
 * two machines this way).
 * @param {() => SharedTags | undefined} [getShared]
 * @param {() => import('./redis-cache.mjs').RedisCache | undefined} [getRedis]
 */
export function createCacheHandler(getShared = processTags, getRedis = getRedisCache) {
  return class QuireCacheHandler extends FileSystemCache {
    /** @param {ConstructorParameters<typeof FileSystemCache>[0]} ctx */
    constructor(ctx) {
      super(ctx);
      this.redis = getRedis();
      this.buildId = this.redis ? buildIdOf(ctx.serverDistDir ?? '') : '';
    }

    /**
     * @override
     * @param {Parameters<MemoryCache['get']>[0]} key
     * @param {Parameters<MemoryCache['get']>[1]} ctx
     */
    async get(key, ctx) {
      const data = this.redis ? await this.#getFromRedis(this.redis, key, ctx) : await super.get(key, ctx);
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
     * An entry from Redis unless one of its tags expired since it was stored (on any instance).
     * @param {import('./redis-cache.mjs').RedisCache} redis @param {string} key @param {any} ctx
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
      if (!this.redis) return super.set(key, data, ctx);
      // What FileSystemCache keeps in memory, kept in Redis instead.
      const cacheControl = ctx.fetchCache ? undefined : ctx.cacheControl;
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
      const list = typeof tags === 'string' ? [tags] : tags;
      try {
        await getShared()?.expire(list, durations);
      } catch (error) {
        // The write that expired these tags has committed; failing its response would not undo it.
        warnOnce(error);
      }
      await this.redis?.expire(list, durations?.expire ?? 0);
    }
  };
}

export default createCacheHandler();
