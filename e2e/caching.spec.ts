import { randomUUID } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './fixtures';

/*
 * Pages and API reads come from Next's cache, and a write expires exactly what it changed: a new
 * comment refreshes its own post (page and API), not the home page or other posts' pages.
 * These tests observe the cache, so they run in their own project after the others
 * (playwright.config.ts): another spec's new post would expire every page mid-test.
 */

const cacheState = async (request: APIRequestContext, path: string) => (await request.get(path)).headers()['x-nextjs-cache'];

/** Visits a page until it is served from the cache (the first visit renders and stores it). */
async function warm(request: APIRequestContext, path: string) {
  await request.get(path);
  expect(await cacheState(request, path), `${path} is cached`).toBe('HIT');
}

const comment = (request: APIRequestContext, slug: string, body: string) =>
  request.post(`/api/posts/${slug}/comments`, { data: { authorName: 'Cache tester', body } });

test('a new comment refreshes its post at once and leaves other posts cached', async ({ request, post, api, unique }) => {
  const other = await (
    await api.post('/api/posts', { data: { title: `Other ${unique}`, body: 'Untouched.', status: 'published' } })
  ).json();
  try {
    await warm(request, `/posts/${post.slug}`);
    await warm(request, `/posts/${other.slug}`);
    await warm(request, '/');

    expect((await comment(request, post.slug, `Fresh ${unique}`)).status()).toBe(201);

    // Read-your-writes: the very next request renders the post with the comment.
    const page = await request.get(`/posts/${post.slug}`);
    expect(page.headers()['x-nextjs-cache']).toBe('MISS');
    expect(await page.text()).toContain(`Fresh ${unique}`);
    expect(await cacheState(request, `/posts/${post.slug}`)).toBe('HIT');
    // Precision: the other post's page and the home page (whose comment counts may lag a minute) were not expired.
    expect(await cacheState(request, `/posts/${other.slug}`)).toBe('HIT');
    expect(await cacheState(request, '/')).toBe('HIT');
  } finally {
    await api.delete(`/api/posts/${other.slug}`);
  }
});

test('a new post appears on the home page on the next request', async ({ request, api, unique }) => {
  await warm(request, '/');
  const created = await (
    await api.post('/api/posts', { data: { title: `Brand new ${unique}`, body: 'Hello.', status: 'published' } })
  ).json();
  try {
    expect(await (await request.get('/')).text()).toContain(`Brand new ${unique}`);
  } finally {
    await api.delete(`/api/posts/${created.slug}`);
  }
  expect(await (await request.get('/')).text()).not.toContain(`Brand new ${unique}`);
});

test('API reads carry an ETag, answer If-None-Match with 304 and change when the data does', async ({ request, post, unique }) => {
  const path = `/api/posts/${post.slug}/comments`;
  const first = await request.get(path);
  expect(first.headers()['cache-control']).toBe('public, no-cache');
  const etag = first.headers()['etag']!;
  expect(etag).toMatch(/^"[\w-]+"$/);

  const unchanged = await request.get(path, { headers: { 'If-None-Match': etag } });
  expect(unchanged.status()).toBe(304);
  expect(await unchanged.body()).toHaveLength(0);

  expect((await comment(request, post.slug, `Changes the list ${unique}`)).status()).toBe(201);
  const changed = await request.get(path, { headers: { 'If-None-Match': etag } });
  expect(changed.status()).toBe(200);
  expect(changed.headers()['etag']).not.toBe(etag);
  expect((await changed.json()).data.map((c: { html: string }) => c.html)).toEqual([`<p>Changes the list ${unique}</p>`]);
});

test('a comment held as spam does not expire the cached page', async ({ request, post, unique }) => {
  await warm(request, `/posts/${post.slug}`);
  // A filled honeypot marks a bot: stored as spam, answered as if held for moderation.
  const response = await request.post(`/api/posts/${post.slug}/comments`, {
    data: { authorName: 'Bot', body: `Buy now ${unique}`, website: 'https://spam.example' },
  });
  expect((await response.json()).status).toBe('pending');
  expect(await cacheState(request, `/posts/${post.slug}`)).toBe('HIT');
});

test('a query with a made-up tag never fills the cache entry of the plain list', async ({ request }) => {
  const plain = (await (await request.get('/api/posts?limit=2')).json()) as { data: unknown[]; nextCursor: string };
  expect(plain.data.length).toBe(2);
  for (const query of ['', `&cursor=${plain.nextCursor}`]) {
    // Absent values were once keyed as the text "undefined", so this query wrote the plain list's entry.
    expect((await request.get(`/api/posts?limit=2${query}&tag=undefined`)).status()).toBe(404);
    const after = (await (await request.get(`/api/posts?limit=2${query}`)).json()) as { data: unknown[] };
    expect(after.data.length, `?limit=2${query}`).toBe(2);
  }
});

test('a page and an API endpoint that read the same data keep separate cache entries', async ({ request }) => {
  // Both once cached under the key "tags": whichever came first gave the other the wrong shape.
  expect((await request.get('/api/tags')).status()).toBe(200);
  const page = await request.get('/tags');
  expect(page.status()).toBe(200);
  expect(await page.text()).toContain('/tags/');
  const api = (await (await request.get('/api/tags')).json()) as { data: unknown[] };
  expect(api.data.length).toBeGreaterThan(0);
});

test('hundreds of unknown cursors and slugs answer 404 and evict no cached page', async ({ request, post }) => {
  test.setTimeout(180_000);
  await warm(request, `/posts/${post.slug}`);
  await warm(request, '/');
  // Each not-found page is about 50 KB: 400 of them are more than Next's 16 MB page cache holds, and
  // once evicted the home page and the post (a review's 500 random cursors did that).
  const paths = Array.from({ length: 400 }, (_, i) => (i % 2 ? `/?cursor=${randomUUID()}` : `/posts/no-such-post-${randomUUID()}`));
  for (let start = 0; start < paths.length; start += 8) {
    const statuses = await Promise.all(paths.slice(start, start + 8).map(async (path) => (await request.get(path)).status()));
    expect(statuses).toEqual(statuses.map(() => 404));
  }
  expect(await cacheState(request, '/')).toBe('HIT');
  expect(await cacheState(request, `/posts/${post.slug}`)).toBe('HIT');
});
