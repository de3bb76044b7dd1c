// @ts-check
/*
 * The Redis side of Quire's cache (REDIS_URL): Next's cache entries and cache-tag expiry times in
 * one Redis that every server instance shares, on any machine. server/cache-handler.mjs stores and
 * reads entries through it; instrumentation.ts connects it at start-up, so a wrong REDIS_URL stops
 * the server there. Redis is a cache here, never a dependency: every command gives up after
 * `timeoutMs`, a failed read is a miss (the page is rendered), and a failed expiry is replayed once
 * Redis answers again (this process has already expired the tag in its own memory, see the handler).
 * Plain JavaScript in lib/, so the handler (which Next loads unbundled) and lib/cache.ts import the same
 * file; the connection itself is shared through globalThis, as each of them may load its own copy.
 *
 * Keys, under the prefix (REDIS_KEY_PREFIX, `quire` by default):
 *   <prefix>:<build id>:e:<Next's cache key>   one entry, v8-serialised, with a TTL
 *   <prefix>:t:<tag>                           when the tag expired (epoch ms), with a TTL
 * Entries are per build, so a new build never serves the pages of the old one; tags are not, so
 * during a rolling deploy a write on a new instance also expires the old instances' entries.
 */
import { deserialize, serialize } from 'node:v8';
import { RESP_TYPES, createClient } from 'redis';

/**
 * The longest an entry lives in Redis, and so how long a tag's expiry must be remembered (entries
 * stored before it are gone by then). Five times Quire's 60-second revalidation: a popular page is
 * rendered again every minute anyway, and a rarely read one need not hold memory longer.
 */
export const ENTRY_TTL_SECONDS = 300;
/** Tag expiries outlive the entries they concern by this much, for clocks a little apart. */
const TAG_MARGIN_SECONDS = 30;
/** How long one Redis command may take before the cache gives up on it (a miss, or a replay later). */
export const COMMAND_TIMEOUT_MS = 200;
/** How long start-up waits for Redis before REDIS_URL counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

const GLOBAL = Symbol.for('quire.redisCache');

class Timeout extends Error {
  constructor(/** @type {number} */ ms) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T>}
 */
function within(promise, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(ms)), ms);
  });
  // A command that answers after its timeout must not become an unhandled rejection.
  promise.catch(() => {});
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout]).finally(() => clearTimeout(timer)));
}

/** REDIS_URL without its password, for messages. */
export function describeRedisUrl(/** @type {string} */ url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * @typedef {{ value: unknown; lastModified: number; cacheControl?: unknown; tags?: readonly string[] }} Entry
 * @typedef {'ok' | 'degraded'} RedisHealth
 */

export class RedisCache {
  /** Tags whose expiry did not reach Redis; written again when it answers. */
  #unsynced = new Set();
  #warnedAt = 0;

  /**
   * @param {import('redis').RedisClientType} client a client created with `disableOfflineQueue`
   * @param {{ prefix?: string; timeoutMs?: number; now?: () => number }} [options]
   */
  constructor(client, { prefix = 'quire', timeoutMs = COMMAND_TIMEOUT_MS, now = Date.now } = {}) {
    this.client = client;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.now = now;
    this.buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    client.on('ready', () => void this.#replay());
  }

  /** @param {string} buildId @param {string} key */
  entryKey(buildId, key) {
    return `${this.prefix}:${buildId}:e:${key}`;
  }

  /** @param {string} tag */
  tagKey(tag) {
    return `${this.prefix}:t:${tag}`;
  }

  /**
   * The stored entry, or null when there is none or Redis does not answer in time.
   * @param {string} key a key from entryKey()
   * @returns {Promise<Entry | null>}
   */
  async get(key) {
    try {
      const stored = await within(this.buffers.get(key), this.timeoutMs);
      return stored ? /** @type {Entry} */ (deserialize(stored)) : null;
    } catch (error) {
      this.#warn('read', error);
      return null;
    }
  }

  /**
   * Stores an entry for `ttlSeconds` (at most ENTRY_TTL_SECONDS); a failure only means the next
   * read renders again.
   * @param {string} key @param {Entry} entry @param {number} ttlSeconds
   */
  async set(key, entry, ttlSeconds) {
    const ttl = Math.max(1, Math.min(ENTRY_TTL_SECONDS, Math.floor(ttlSeconds)));
    try {
      await within(this.client.set(key, serialize(entry), { expiration: { type: 'EX', value: ttl } }), this.timeoutMs);
    } catch (error) {
      this.#warn('write', error);
    }
  }

  /**
   * Whether an entry stored at `storedAt` with these tags is out of date: one of them expired at
   * or after that time (on any instance). Unknown (Redis does not answer) counts as out of date.
   * @param {readonly string[]} tags @param {number} storedAt
   */
  async isExpired(tags, storedAt) {
    if (tags.length === 0) return false;
    if (tags.some((tag) => this.#unsynced.has(tag))) return true;
    try {
      const times = await within(this.client.mGet(tags.map((tag) => this.tagKey(tag))), this.timeoutMs);
      const now = this.now();
      return times.some((time) => {
        const at = Number(time);
        // At the same millisecond the entry may have been rendered from the old data: a miss.
        return time !== null && at >= storedAt && at <= now;
      });
    } catch (error) {
      this.#warn('read', error);
      return true;
    }
  }

  /**
   * Expires `tags` on every instance: at once, or `expireSeconds` from now. Never throws: the write
   * that expired them has committed, and when Redis does not answer they are written once it does.
   * @param {readonly string[]} tags @param {number} [expireSeconds]
   */
  async expire(tags, expireSeconds = 0) {
    if (tags.length === 0) return;
    try {
      await within(this.#writeExpiries(tags, this.now() + expireSeconds * 1000, expireSeconds), this.timeoutMs);
    } catch (error) {
      for (const tag of tags) this.#unsynced.add(tag);
      this.#warn('expiry', error);
    }
  }

  /**
   * @param {readonly string[]} tags @param {number} at @param {number} delaySeconds
   */
  async #writeExpiries(tags, at, delaySeconds) {
    const ttl = ENTRY_TTL_SECONDS + TAG_MARGIN_SECONDS + Math.ceil(delaySeconds);
    const multi = this.client.multi();
    for (const tag of tags) multi.set(this.tagKey(tag), String(at), { expiration: { type: 'EX', value: ttl } });
    await multi.exec();
  }

  /** Expiries Redis missed, written with the time they reach it: later than the write, so never too late. */
  async #replay() {
    if (this.#unsynced.size === 0) return;
    const tags = [...this.#unsynced];
    try {
      await within(this.#writeExpiries(tags, this.now(), 0), this.timeoutMs * 5);
      for (const tag of tags) this.#unsynced.delete(tag);
      console.error(`Quire: Redis answers again; replayed ${tags.length} cache-tag expiries.`);
    } catch (error) {
      this.#warn('expiry', error);
    }
  }

  /** @returns {Promise<RedisHealth>} whether Redis answers a PING in time (and has every expiry) */
  async health() {
    try {
      await within(this.client.ping(), this.timeoutMs);
      if (this.#unsynced.size > 0) await this.#replay();
      return this.#unsynced.size === 0 ? 'ok' : 'degraded';
    } catch {
      return 'degraded';
    }
  }

  /** One line a minute at most while Redis fails, not one per request. */
  #warn(/** @type {string} */ what, /** @type {unknown} */ error) {
    const now = this.now();
    if (now - this.#warnedAt < 60_000) return;
    this.#warnedAt = now;
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`Quire: the Redis cache failed (${what}: ${reason}); rendering without it until Redis answers.`);
  }
}

/**
 * A client that never queues commands while disconnected (they fail at once, so reads become
 * misses), and reconnects in the background with a backoff up to 2 s.
 * @param {string} url
 * @param {{ connectTimeoutMs?: number; onFirstError?: (error: Error) => void }} [options]
 */
export function createRedisClient(url, { connectTimeoutMs = CONNECT_TIMEOUT_MS } = {}) {
  let started = false;
  /** @type {Error | undefined} */
  let lastError;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    // While Redis stalls, commands wait for their answers; this bounds how many.
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: connectTimeoutMs,
      // Before the first connection a failure is final (start-up reports it); after, keep trying.
      reconnectStrategy: (retries, cause) => (started ? Math.min(50 * 2 ** retries, 2000) : cause),
    },
  });
  client.on('error', (/** @type {Error} */ error) => {
    lastError = error;
  });
  return {
    client: /** @type {import('redis').RedisClientType} */ (/** @type {unknown} */ (client)),
    /** Connects and checks the server answers; rejects with what failed. */
    async connect() {
      try {
        const info = await within(
          client.connect().then(() => client.info('server')),
          connectTimeoutMs,
        );
        assertRedisVersion(info);
        started = true;
      } catch (error) {
        client.destroy();
        throw lastError && !(error instanceof Timeout) ? lastError : error;
      }
    },
  };
}

/** The oldest Redis Quire accepts (older releases are long out of support); its tests run against Redis 7. */
export const MIN_REDIS_MAJOR = 5;

/**
 * Refuses a server older than MIN_REDIS_MAJOR, from its `INFO server` text (Valkey reports a
 * compatible redis_version too).
 * @param {string} info
 */
export function assertRedisVersion(info) {
  const version = /^redis_version:(\S+)/m.exec(info)?.[1];
  if (!version) throw new Error('the server did not say its Redis version (INFO server)');
  if (Number(version.split('.')[0]) < MIN_REDIS_MAJOR) {
    throw new Error(`Redis ${version} is too old: Quire needs Redis ${MIN_REDIS_MAJOR} or later`);
  }
}

/** What failed, in words an operator acts on. */
function explain(/** @type {unknown} */ error) {
  const message = error instanceof Error ? error.message : String(error);
  const code = /** @type {{ code?: string }} */ (error)?.code;
  if (/WRONGPASS|NOAUTH|invalid password|AUTH/i.test(message)) return `authentication failed (${message})`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || error instanceof Timeout || /timeout/i.test(message))
    return `unreachable (${message})`;
  return message;
}

/**
 * Connects this process's Redis cache (once) and makes it available to server/cache-handler.mjs.
 * Throws an "Invalid configuration" error naming REDIS_URL when Redis cannot be reached or refuses us.
 * @param {string} url @param {{ prefix?: string }} [options]
 * @returns {Promise<RedisCache>}
 */
export async function connectRedisCache(url, { prefix } = {}) {
  const existing = getRedisCache();
  if (existing) return existing;
  const { client, connect } = createRedisClient(url);
  try {
    await connect();
  } catch (error) {
    throw new Error(`Invalid configuration:\n  REDIS_URL: cannot use ${describeRedisUrl(url)}: ${explain(error)}`, { cause: error });
  }
  const cache = new RedisCache(client, { prefix });
  /** @type {Record<symbol, unknown>} */ (globalThis)[GLOBAL] = cache;
  return cache;
}

/** This process's Redis cache; undefined without REDIS_URL, during `next build` and in most tests. */
export function getRedisCache() {
  return /** @type {RedisCache | undefined} */ (/** @type {Record<symbol, unknown>} */ (globalThis)[GLOBAL]);
}

/** For tests: forget (and close) this process's Redis cache. */
export function resetRedisCache() {
  const cache = getRedisCache();
  delete (/** @type {Record<symbol, unknown>} */ (globalThis)[GLOBAL]);
  if (cache?.client.isOpen) cache.client.destroy();
}
