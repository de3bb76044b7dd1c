import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFs } from 'next/dist/server/lib/node-fs-methods';
import { afterAll, describe, expect, it } from 'vitest';
import { NOT_FOUND_CACHE_BYTES, classifyEntry, createCacheHandler } from '@/server/cache-handler.mjs';

/*
 * Not-found answers (unknown slugs and archive cursors, loaders that found nothing) and Next's
 * in-memory page cache (server/cache-handler.mjs without Redis): a reader asking for endless unknown
 * addresses must not evict the real pages. tests/redis-cache.test.ts checks the same with Redis.
 */

const require = createRequire(import.meta.url);
const FileSystemCache = require('next/dist/server/lib/incremental-cache/file-system-cache').default as {
  memoryCache?: { currentSize: number };
};

interface Handler {
  get(key: string, ctx: object): Promise<{ value: Record<string, unknown>; lastModified: number } | null>;
  set(key: string, data: object | null, ctx: object): Promise<void>;
  revalidateTag(tags: string[], durations: { expire: number }): Promise<void>;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-not-found-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A page as Next stores it; a not-found page is the whole layout (~49 KB measured) with status 404. */
const page = (tags: string[], { status = 200, size = 2_000 } = {}) => ({
  kind: 'APP_PAGE',
  html: `<html>${'x'.repeat(size)}</html>`,
  rscData: Buffer.from('rsc payload'),
  headers: { 'x-next-cache-tags': tags.join(',') },
  status,
  postponed: undefined,
  segmentData: new Map([['/_tree', Buffer.from('tree')]]),
});
const notFoundPage = (tags: string[]) => page(tags, { status: 404, size: 49_000 });
const pageContext = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false } as const;
const pageSet = { ...pageContext, cacheControl: { revalidate: 60, expire: undefined } };
/** What unstable_cache stores for a loader that found nothing (loadPostPage of an unknown slug). */
const emptyData = { kind: 'FETCH', data: { headers: {}, body: 'null', status: 200, url: '' }, revalidate: 60 };

// 1 MB of Next's memory cache: room for the real pages, not for 500 not-found pages.
const Handler = createCacheHandler(
  () => undefined,
  () => undefined,
);
const handler = new Handler({
  fs: nodeFs,
  dev: false,
  flushToDisk: false,
  serverDistDir: path.join(dir, 'server'),
  revalidatedTags: [],
  maxMemoryCacheSize: 2 ** 20,
  _requestHeaders: {},
}) as unknown as Handler;

const random = () => Math.random().toString(36).slice(2);

describe('not-found answers and the page cache', () => {
  it('500 unknown cursors and slugs neither evict cached pages nor take room in the page cache', async () => {
    const home = '/route-cache/APP_PAGE/x/$/archive/latest';
    const post = '/route-cache/APP_PAGE/x/$/posts/hello';
    await handler.set(home, page(['content', '_N_T_/archive/latest']), pageSet);
    await handler.set(post, page(['content', 'post:hello', '_N_T_/posts/hello']), pageSet);
    const before = FileSystemCache.memoryCache!.currentSize;

    for (let i = 0; i < 250; i++) {
      const cursor = random();
      await handler.set(`/route-cache/APP_PAGE/x/$/archive/${cursor}`, notFoundPage(['content', `_N_T_/archive/${cursor}`]), pageSet);
      const slug = random();
      await handler.set(`/route-cache/APP_PAGE/x/$/posts/${slug}`, notFoundPage(['content', `_N_T_/posts/${slug}`]), pageSet);
      await handler.set(`["post-page","${slug}"]`, emptyData, { fetchCache: true, tags: ['content', `post:${slug}`] });
    }

    expect((await handler.get(home, pageContext))?.value.status).toBe(200);
    expect((await handler.get(post, pageContext))?.value.status).toBe(200);
    expect(FileSystemCache.memoryCache!.currentSize).toBe(before);
  });

  it('a not-found page is served again from a bounded space of its own until a tag expires or a real page replaces it', async () => {
    const key = '/route-cache/APP_PAGE/x/$/posts/coming-soon';
    const tags = ['content', 'post:coming-soon', '_N_T_/posts/coming-soon'];
    await handler.set(key, notFoundPage(tags), pageSet);
    expect((await handler.get(key, pageContext))?.value.status).toBe(404);
    // The post is published under that slug: its tags expire, the not-found page with them (Next
    // counts an expiry in the very millisecond of the store as older than the entry).
    await new Promise((resolve) => setTimeout(resolve, 2));
    await handler.revalidateTag(['post:coming-soon'], { expire: 0 });
    expect(await handler.get(key, pageContext)).toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 2));
    await handler.set(key, notFoundPage(tags), pageSet);
    await handler.set(key, page(tags), pageSet);
    expect((await handler.get(key, pageContext))?.value.status).toBe(200);

    // Bounded: the oldest of many not-found pages is gone, the newest is there.
    const keys = Array.from(
      { length: Math.ceil((2 * NOT_FOUND_CACHE_BYTES) / 49_000) },
      () => `/route-cache/APP_PAGE/x/$/posts/${random()}`,
    );
    for (const each of keys) await handler.set(each, notFoundPage(['content']), pageSet);
    expect(await handler.get(keys[0]!, pageContext)).toBeNull();
    expect((await handler.get(keys.at(-1)!, pageContext))?.value.status).toBe(404);
  });

  it('other error answers are not cached at all', async () => {
    const key = '/route-cache/APP_PAGE/x/$/posts/broken';
    await handler.set(key, page(['content'], { status: 500 }), pageSet);
    expect(await handler.get(key, pageContext)).toBeNull();
    expect(classifyEntry(page([], { status: 410 }))).toBe('not-found');
    expect(classifyEntry(page([], { status: 403 }))).toBe('error');
    expect(classifyEntry({ kind: 'APP_ROUTE', body: Buffer.from(''), status: 404, headers: {} })).toBe('not-found');
    expect(classifyEntry({ kind: 'FETCH', data: { body: '{"post":1}' } })).toBe('ok');
    expect(classifyEntry(page([]))).toBe('ok');
  });
});
