import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFs } from 'next/dist/server/lib/node-fs-methods';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCacheHandler } from '@/server/cache-handler.mjs';
import {
  COMMAND_TIMEOUT_MS,
  ENTRY_TTL_SECONDS,
  RedisCache,
  assertRedisVersion,
  connectRedisCache,
  createRedisClient,
  resetRedisCache,
} from '@/lib/redis-cache.mjs';
import { type RedisServer, redisSkipReason, startRedis } from './redis-server';

/*
 * REDIS_URL: Next's cache in one Redis shared by every instance (lib/redis-cache.mjs and
 * server/cache-handler.mjs), on a throw-away redis-server. Each "machine" is a handler with its own
 * Redis client and no shared database, so whatever one sees of the other's work came through Redis.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-redis-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A build folder with this BUILD_ID, as Next hands the handler its server folder. */
function buildFolder(buildId: string): string {
  const folder = path.join(dir, buildId);
  fs.mkdirSync(path.join(folder, 'server'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'BUILD_ID'), buildId);
  return path.join(folder, 'server');
}

interface Handler {
  get(key: string, ctx: object): Promise<{ value: Record<string, unknown>; lastModified: number } | null>;
  set(key: string, data: object | null, ctx: object): Promise<void>;
  revalidateTag(tags: string[], durations: { expire: number }): Promise<void>;
}

const page = (tags: string[], html = '<p>cached</p>') => ({
  kind: 'APP_PAGE',
  html,
  rscData: Buffer.from('rsc payload'),
  headers: { 'x-next-cache-tags': tags.join(',') },
  status: 200,
  postponed: undefined,
  segmentData: new Map([['/_tree', Buffer.from('tree')]]),
});
const notFoundPage = (tags: string[]) => ({ ...page(tags, `<html>${'x'.repeat(49_000)}</html>`), status: 404 });
const pageContext = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false } as const;
const pageSet = { ...pageContext, cacheControl: { revalidate: 60, expire: undefined } };
const fetchEntry = { kind: 'FETCH', data: { headers: {}, body: '"cached"', status: 200, url: '' }, revalidate: 60 };

describe.skipIf(redisSkipReason)(`the Redis cache${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ''}`, () => {
  let redis: RedisServer;
  const caches: RedisCache[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const cache of caches) if (cache.client.isOpen) cache.client.destroy();
    await redis?.stop();
  });

  /** One instance ("machine") on the test's Redis: its own client, no database to share tags through. */
  async function machine({ buildId = 'build-1', prefix = 'quire', server = redis } = {}): Promise<{ handler: Handler; cache: RedisCache }> {
    const { client, connect } = createRedisClient(server.url);
    await connect();
    const cache = new RedisCache(client, { prefix });
    caches.push(cache);
    const Handler = createCacheHandler(
      () => undefined,
      () => cache,
    );
    const context = {
      fs: nodeFs,
      dev: false,
      flushToDisk: false,
      serverDistDir: buildFolder(buildId),
      revalidatedTags: [],
      maxMemoryCacheSize: 50 * 1024 * 1024,
      _requestHeaders: {},
    };
    return { handler: new Handler(context) as unknown as Handler, cache };
  }

  it('an entry stored by one instance is served by another, whole (HTML, RSC payload and segments)', async () => {
    const [a, b] = [await machine(), await machine()];
    await a.handler.set('/route-cache/APP_PAGE/x/$/posts/shared', page(['content', 'post:shared']), pageSet);
    // In Redis, not in this test process's memory (which both handlers would share).
    expect(redis.cli('EXISTS', 'quire:build-1:e:/route-cache/APP_PAGE/x/$/posts/shared')).toBe('1');
    const entry = await b.handler.get('/route-cache/APP_PAGE/x/$/posts/shared', pageContext);
    expect(entry?.value.html).toBe('<p>cached</p>');
    expect(Buffer.isBuffer(entry?.value.rscData) && entry.value.rscData.toString()).toBe('rsc payload');
    expect((entry?.value.segmentData as Map<string, Buffer>).get('/_tree')?.toString()).toBe('tree');
    expect(Date.now() - entry!.lastModified).toBeLessThan(5_000);
  });

  it('a tag expired on one instance makes the other’s entries with that tag misses at once, and only those', async () => {
    const [a, b] = [await machine(), await machine()];
    await b.handler.set('/route-cache/APP_PAGE/x/$/posts/hello', page(['content', 'post:hello', '_N_T_/posts/hello']), pageSet);
    await b.handler.set('/route-cache/APP_PAGE/x/$/posts/other', page(['content', 'post:other']), pageSet);
    await b.handler.set('data-key', fetchEntry, { fetchCache: true, tags: ['content'] });
    const fetchContext = { kind: 'FETCH', tags: ['content'], softTags: ['_N_T_/layout', '_N_T_/tags/sqlite'] } as const;
    expect(await b.handler.get('/route-cache/APP_PAGE/x/$/posts/hello', pageContext)).not.toBeNull();

    await a.handler.revalidateTag(['post:hello', '_N_T_/tags/sqlite'], { expire: 0 });
    expect(Number(redis.cli('GET', 'quire:t:post:hello'))).toBeGreaterThan(Date.now() - 5_000);
    expect(await b.handler.get('/route-cache/APP_PAGE/x/$/posts/hello', pageContext)).toBeNull();
    expect(await b.handler.get('data-key', fetchContext)).toBeNull();
    expect(await b.handler.get('/route-cache/APP_PAGE/x/$/posts/other', pageContext)).not.toBeNull();
    // The same data read under another path (other implicit tags) is still a hit.
    expect(await b.handler.get('data-key', { ...fetchContext, softTags: ['_N_T_/layout', '_N_T_/tags/css'] })).not.toBeNull();
    // Rendered again after the expiry: a hit everywhere.
    await new Promise((resolve) => setTimeout(resolve, 2));
    await a.handler.set('/route-cache/APP_PAGE/x/$/posts/hello', page(['content', 'post:hello'], '<p>new</p>'), pageSet);
    expect((await b.handler.get('/route-cache/APP_PAGE/x/$/posts/hello', pageContext))?.value.html).toBe('<p>new</p>');
  });

  it('entries and tag expiries have a TTL, entries under the prefix and the build’s id', async () => {
    const { handler } = await machine({ buildId: 'build-ttl', prefix: 'blog-a' });
    await handler.set('/route-cache/APP_PAGE/x/$/posts/ttl', page(['post:ttl']), pageSet);
    await handler.set('/route-cache/APP_PAGE/x/$/posts/short', page(['post:short']), {
      ...pageSet,
      cacheControl: { revalidate: 10, expire: 30 },
    });
    await handler.revalidateTag(['post:gone'], { expire: 0 });
    const ttl = (key: string) => Number(redis.cli('TTL', key));
    expect(ttl('blog-a:build-ttl:e:/route-cache/APP_PAGE/x/$/posts/ttl')).toBeGreaterThan(ENTRY_TTL_SECONDS - 5);
    expect(ttl('blog-a:build-ttl:e:/route-cache/APP_PAGE/x/$/posts/ttl')).toBeLessThanOrEqual(ENTRY_TTL_SECONDS);
    expect(ttl('blog-a:build-ttl:e:/route-cache/APP_PAGE/x/$/posts/short')).toBeLessThanOrEqual(30);
    expect(ttl('blog-a:t:post:gone')).toBeGreaterThan(ENTRY_TTL_SECONDS);
    // Nothing this handler wrote lives forever (-1) in Redis.
    const keys = redis.cli('--scan', '--pattern', 'blog-a:*').split('\n');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) expect(ttl(key), key).toBeGreaterThan(0);
  });

  it('another build or another prefix does not see the entries; tag expiry crosses builds of one blog', async () => {
    const oldBuild = await machine({ buildId: 'build-old' });
    const newBuild = await machine({ buildId: 'build-new' });
    const otherBlog = await machine({ buildId: 'build-old', prefix: 'other-blog' });
    await oldBuild.handler.set('/route-cache/APP_PAGE/x/$/posts/b', page(['post:b']), pageSet);
    expect(await newBuild.handler.get('/route-cache/APP_PAGE/x/$/posts/b', pageContext)).toBeNull();
    expect(await otherBlog.handler.get('/route-cache/APP_PAGE/x/$/posts/b', pageContext)).toBeNull();
    await otherBlog.handler.revalidateTag(['post:b'], { expire: 0 });
    expect(await oldBuild.handler.get('/route-cache/APP_PAGE/x/$/posts/b', pageContext)).not.toBeNull();
    await newBuild.handler.revalidateTag(['post:b'], { expire: 0 });
    expect(await oldBuild.handler.get('/route-cache/APP_PAGE/x/$/posts/b', pageContext)).toBeNull();
  });

  it('unknown slugs and cursors add nothing to Redis and never displace its pages; their 404 follows tag expiry from other instances', async () => {
    const [a, b] = [await machine({ prefix: 'not-found' }), await machine({ prefix: 'not-found' })];
    await a.handler.set('/route-cache/APP_PAGE/x/$/archive/latest', page(['content', '_N_T_/archive/latest']), pageSet);
    const keys = () => redis.cli('--scan', '--pattern', 'not-found:*').split('\n').filter(Boolean).sort();
    const before = keys();
    expect(before).toEqual(['not-found:build-1:e:/route-cache/APP_PAGE/x/$/archive/latest']);
    for (let i = 0; i < 500; i++) {
      const unknown = Math.random().toString(36).slice(2);
      await b.handler.set(`/route-cache/APP_PAGE/x/$/archive/${unknown}`, notFoundPage(['content', `_N_T_/archive/${unknown}`]), pageSet);
      await b.handler.set(
        `["post-page","${unknown}"]`,
        { ...fetchEntry, data: { ...fetchEntry.data, body: 'null' } },
        { fetchCache: true, tags: ['content'] },
      );
    }
    expect(keys()).toEqual(before);
    expect((await b.handler.get('/route-cache/APP_PAGE/x/$/archive/latest', pageContext))?.value.html).toBe('<p>cached</p>');

    // Kept by the instance that rendered it, until a post under that slug is created on another one.
    const missing = '/route-cache/APP_PAGE/x/$/posts/later';
    await b.handler.set(missing, notFoundPage(['content', 'post:later', '_N_T_/posts/later']), pageSet);
    expect((await b.handler.get(missing, pageContext))?.value.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2));
    // Through Redis alone (a.handler.revalidateTag would also reach this process's own tag manifest).
    await a.cache.expire(['post:later']);
    expect(await b.handler.get(missing, pageContext)).toBeNull();
  });

  it('a Redis that stops answering: reads are misses within the timeout, expiry does not throw, health says degraded, then recovers', async () => {
    const own = await startRedis();
    try {
      const [a, b] = [await machine({ server: own }), await machine({ server: own })];
      await a.handler.set('/route-cache/APP_PAGE/x/$/posts/slow', page(['post:slow']), pageSet);
      expect(await a.cache.health()).toBe('ok');

      own.pause();
      let started = Date.now();
      expect(await b.handler.get('/route-cache/APP_PAGE/x/$/posts/slow', pageContext)).toBeNull();
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 300);
      await expect(a.handler.revalidateTag(['post:slow'], { expire: 0 })).resolves.toBeUndefined();
      await expect(a.handler.set('/route-cache/APP_PAGE/x/$/posts/x', page(['post:x']), pageSet)).resolves.toBeUndefined();
      expect(await a.cache.health()).toBe('degraded');
      own.resume();
      // The expiry Redis missed is written once it answers again.
      await vi.waitFor(async () => expect(await a.cache.health()).toBe('ok'), { timeout: 5_000 });
      expect(await b.handler.get('/route-cache/APP_PAGE/x/$/posts/slow', pageContext)).toBeNull();

      await b.handler.set('/route-cache/APP_PAGE/x/$/posts/killed', page(['post:killed']), pageSet);
      await own.stop();
      started = Date.now();
      expect(await b.handler.get('/route-cache/APP_PAGE/x/$/posts/killed', pageContext)).toBeNull();
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 300);
      await expect(b.handler.revalidateTag(['post:killed'], { expire: 0 })).resolves.toBeUndefined();
      expect(await b.cache.health()).toBe('degraded');
    } finally {
      await own.stop();
    }
  });
});

describe.skipIf(redisSkipReason)('a wrong REDIS_URL stops start-up with a message naming it', () => {
  afterEach(() => resetRedisCache());

  it('unreachable', async () => {
    const closed = await startRedis();
    await closed.stop();
    await expect(connectRedisCache(closed.url)).rejects.toThrow(
      new RegExp(`^Invalid configuration:\\n  REDIS_URL: cannot use redis://127\\.0\\.0\\.1:${closed.port}/?: unreachable`),
    );
  });

  it('a wrong password, or none, is an authentication failure, and the password is not printed', async () => {
    const guarded = await startRedis({ password: 'right-password' });
    try {
      const wrong = connectRedisCache(`redis://:wrong-password@127.0.0.1:${guarded.port}`);
      await expect(wrong).rejects.toThrow(/REDIS_URL: cannot use redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: authentication failed/);
      await expect(wrong).rejects.not.toThrow(/wrong-password/);
      await expect(connectRedisCache(guarded.url)).rejects.toThrow(/REDIS_URL: .*authentication failed/);
      const cache = await connectRedisCache(`redis://:right-password@127.0.0.1:${guarded.port}`);
      expect(await cache.health()).toBe('ok');
    } finally {
      await guarded.stop();
    }
  });

  it('not a redis:// URL', async () => {
    vi.resetModules();
    vi.stubEnv('REDIS_URL', 'localhost:6379');
    try {
      const { getEnv } = await import('@/lib/env');
      expect(() => getEnv()).toThrow(
        'Invalid configuration:\n  REDIS_URL: REDIS_URL must be a redis:// or rediss:// URL such as redis://localhost:6379',
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('the Redis version', () => {
  it('a Redis older than 5 is refused by name, a newer one (or Valkey) is accepted', () => {
    expect(() => assertRedisVersion('# Server\r\nredis_version:4.0.9\r\nredis_mode:standalone\r\n')).toThrow(
      'Redis 4.0.9 is too old: Quire needs Redis 5 or later',
    );
    expect(() => assertRedisVersion('# Server\r\nredis_version:7.0.15\r\n')).not.toThrow();
    expect(() => assertRedisVersion('# Server\r\nredis_version:7.2.4\r\nvalkey_version:8.0.1\r\n')).not.toThrow();
    expect(() => assertRedisVersion('# Server\r\n')).toThrow('did not say its Redis version');
  });
});
