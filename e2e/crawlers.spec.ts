import fs from 'node:fs';
import { expect, test } from './fixtures';
import { readAllSitemapUrls } from './sitemap-helpers';

test('the sitemap index and its shards list a post created through the API, validate, and drop it when deleted', async ({
  request,
  api,
  unique,
  baseURL,
}) => {
  const created = await (
    await api.post('/api/posts', { data: { title: `Sitemap ${unique}`, body: 'Indexed.', status: 'published', tags: [`tag-${unique}`] } })
  ).json();
  const index = await request.get('/sitemap.xml');
  expect(index.status()).toBe(200);
  expect(index.headers()['content-type']).toMatch(/xml/);
  const postUrl = `${baseURL}/posts/${created.slug}`;
  const { urls, xml } = await readAllSitemapUrls(request);
  expect(xml[0]).toContain('<sitemapindex');
  expect(urls).toContain(postUrl);
  expect(urls).toContain(`${baseURL}/`);
  expect(urls).toContain(`${baseURL}/tags/tag-${unique}`);
  expect(xml.join('')).toContain(`<lastmod>${created.updatedAt}</lastmod>`);
  expect(urls).not.toContain(`${baseURL}/posts/notes-for-the-next-release`); // the demo draft
  expect(urls.some((url) => new URL(url).pathname.startsWith('/admin'))).toBe(false);

  await api.patch(`/api/posts/${created.slug}`, { data: { status: 'draft' } });
  expect((await readAllSitemapUrls(request)).urls).not.toContain(postUrl);
  await api.patch(`/api/posts/${created.slug}`, { data: { status: 'published' } });
  expect((await readAllSitemapUrls(request)).urls).toContain(postUrl);
  await api.delete(`/api/posts/${created.slug}`);
  expect((await readAllSitemapUrls(request)).urls).not.toContain(postUrl);
  expect((await request.get('/sitemaps/posts-99.xml')).status()).toBe(404);
});

test('robots.txt allows crawling and points to the sitemap', async ({ request, baseURL }) => {
  const robots = await (await request.get('/robots.txt')).text();
  expect(robots).toMatch(/User-Agent: \*\nAllow: \/\nDisallow: \/api\/\nDisallow: \/admin/);
  expect(robots).toContain(`Sitemap: ${baseURL}/sitemap.xml`);
});

test('a post page carries its title, description, canonical URL and Open Graph tags', async ({ page, baseURL }) => {
  await page.goto('/posts/writing-posts-in-markdown');
  await expect(page).toHaveTitle('Writing posts in Markdown · Quire');
  const meta = (selector: string) => page.locator(selector).getAttribute('content');
  expect(await meta('meta[name="description"]')).toMatch(/^Headings, lists, code blocks/);
  expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(`${baseURL}/posts/writing-posts-in-markdown`);
  expect(await meta('meta[property="og:type"]')).toBe('article');
  expect(await meta('meta[property="og:title"]')).toBe('Writing posts in Markdown');
  expect(await meta('meta[property="og:url"]')).toBe(`${baseURL}/posts/writing-posts-in-markdown`);
  expect(await meta('meta[property="article:published_time"]')).toMatch(/^\d{4}-/);
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
});

test('drafts and unknown posts answer 404 with a helpful page', async ({ page }) => {
  for (const slug of ['notes-for-the-next-release', 'no-such-post']) {
    const response = await page.goto(`/posts/${slug}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expect(page.getByRole('link', { name: 'Go to the latest posts' })).toBeVisible();
  }
});

test('the API over HTTP: JSON reads, 405 with Allow, 413 by declared length, problem+json', async ({ request, api }) => {
  const list = await request.get('/api/posts?limit=2');
  expect(list.status()).toBe(200);
  const body = await list.json();
  expect(body.data).toHaveLength(2);
  expect(typeof body.nextCursor).toBe('string');

  const put = await request.put('/api/posts', { data: {} });
  expect(put.status()).toBe(405);
  expect(put.headers()['allow']).toBe('GET, HEAD, OPTIONS, POST');
  expect(put.headers()['content-type']).toBe('application/problem+json');

  // OPTIONS names the same methods as the 405's Allow (Next's default would also list PUT and the rest).
  const options = await request.fetch('/api/posts', { method: 'OPTIONS' });
  expect(options.status()).toBe(204);
  expect(options.headers()['allow']).toBe('GET, HEAD, OPTIONS, POST');

  // Every body but a post's is capped at 64 KiB (a post's follows POST_MAX_BYTES: tests/long-posts.test.ts).
  const big = await api.patch('/api/admin/settings', {
    headers: { 'Content-Type': 'application/json' },
    data: JSON.stringify({ blocklist: ['x'.repeat(70_000)] }),
  });
  expect(big.status()).toBe(413);
  expect(big.headers()['content-type']).toBe('application/problem+json');

  const anonymous = await request.post('/api/posts', { data: { title: 't', body: 'b' } });
  expect(anonymous.status()).toBe(401);

  for (const path of ['/api/posts/%ZZ', '/posts/%E0%A4%A']) {
    const broken = await request.get(path);
    expect(broken.status()).toBe(400);
    expect(broken.headers()['content-type']).toBe('application/problem+json');
  }

  // Paths no endpoint answers are API errors too, not Next's HTML 404 page.
  for (const unknown of [request.get('/api/nope'), request.post('/api/posts/a-slug/likes', { data: {} })]) {
    const response = await unknown;
    expect(response.status()).toBe(404);
    expect(response.headers()['content-type']).toBe('application/problem+json');
    expect((await response.json()).detail).toMatch(/no API endpoint/);
  }

  // Health names the newest migration in the journal drizzle-kit keeps.
  const journal = JSON.parse(fs.readFileSync('db/sqlite/migrations/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] };
  const health = await (await request.get('/api/health')).json();
  expect(health).toEqual({
    status: 'ok',
    database: 'ok',
    migrations: journal.entries.length,
    version: journal.entries.at(-1)!.tag,
    databaseKind: 'sqlite',
    cache: 'memory',
  });
});
