import { parseFeed } from '@rowanmanning/feed-parser';
import { expect, test } from './fixtures';

test('a reader finds posts by tag, from a post and from the tag index', async ({ page, api, unique }) => {
  const tag = `Topic ${unique}`;
  const older = await (
    await api.post('/api/posts', {
      data: { title: `Tagged one ${unique}`, body: 'First.', status: 'published', tags: [tag], publishedAt: '2026-01-01T00:00:00Z' },
    })
  ).json();
  await api.post('/api/posts', { data: { title: `Tagged two ${unique}`, body: 'Second.', status: 'published', tags: [tag] } });

  await page.goto(`/posts/${older.slug}`);
  await page.getByRole('link', { name: tag }).click();
  await expect(page).toHaveURL(new RegExp(`/tags/topic-${unique}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Posts tagged “${tag}”`);
  await expect(page.locator('.post-list > li')).toHaveCount(2);

  await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Tags' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tags');
  await expect(page.getByRole('listitem').filter({ hasText: tag })).toContainText('2 posts');
});

test('the search box finds posts by words in their text, highlighted, and survives any input', async ({ page, api, unique }) => {
  await api.post('/api/posts', { data: { title: 'Search target', body: `The zebra ${unique} crossed the road.`, status: 'published' } });
  await page.goto('/');
  await page.getByRole('searchbox', { name: 'Search posts' }).fill(unique.slice(0, 5));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=/);
  const result = page.locator('.post-card', { hasText: 'Search target' });
  await expect(result).toBeVisible();
  await expect(result.locator('mark')).toHaveText(unique);

  // The results page has one search, the page's own, holding the query; the header adds no second one.
  await expect(page.getByRole('search')).toHaveCount(1);
  await expect(page.getByRole('searchbox', { name: 'Search posts' })).toHaveValue(unique.slice(0, 5));

  for (const q of ['"', '*', 'AND', '-', 'NOT (', '"unclosed phrase']) {
    const response = await page.goto(`/search?q=${encodeURIComponent(q)}`);
    expect(response?.status(), q).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search');
  }
});

test('feeds are discoverable and parse as RSS, Atom and JSON Feed with full content', async ({ page, request, api, unique, baseURL }) => {
  const created = await (
    await api.post('/api/posts', {
      data: {
        title: `Feed ${unique}`,
        body: 'Some **bold** news, after [the welcome](/posts/welcome-to-quire).[^1]\n\n![A chart](/apple-icon.png)\n\n[^1]: A note.',
        status: 'published',
        tags: [`feed-${unique}`],
      },
    })
  ).json();
  const postUrl = `${baseURL}/posts/${created.slug}`;
  // Links and images as a feed reader, far from the post's page, must have them: absolute.
  const absolute = (html: string | null | undefined, where: string) => {
    expect(html, where).toContain(`href="${baseURL}/posts/welcome-to-quire"`);
    expect(html, where).toContain(`src="${baseURL}/apple-icon.png"`);
    expect(html, where).toContain(`href="${postUrl}#user-content-fn-1"`);
    expect(html, where).not.toMatch(/(?:href|src)="[/#]/);
  };
  await page.goto('/');
  const links = page.locator('head link[rel="alternate"]');
  await expect(links).toHaveCount(3);
  expect(await links.evaluateAll((elements) => elements.map((e) => e.getAttribute('type')))).toEqual([
    'application/rss+xml',
    'application/atom+xml',
    'application/feed+json',
  ]);

  for (const path of ['/feed.xml', '/atom.xml']) {
    const response = await request.get(path);
    expect(response.headers()['content-type']).toMatch(/xml/);
    const feed = parseFeed(await response.text());
    const item = feed.items.find((i) => i.title === `Feed ${unique}`);
    expect(item?.url, path).toBe(postUrl);
    expect(item?.content, path).toContain('<strong>bold</strong>');
    absolute(item?.content, path);
    expect(feed.items.length).toBeLessThanOrEqual(20);
    // The blog's icon, for the reader's list of feeds: Quire's own until one is uploaded.
    expect(feed.image?.url, path).toBe(`${baseURL}/apple-icon.png`);
    expect((await request.get(feed.image!.url)).headers()['content-type'], path).toBe('image/png');
  }
  const json = await (await request.get('/feed.json')).json();
  expect(json.version).toBe('https://jsonfeed.org/version/1.1');
  expect([json.icon, json.favicon]).toEqual([`${baseURL}/apple-icon.png`, `${baseURL}/apple-icon.png`]);
  const jsonItem = json.items.find((i: { url: string }) => i.url === postUrl);
  expect(jsonItem.content_html).toContain('<strong>bold</strong>');
  absolute(jsonItem.content_html, '/feed.json');

  const tagFeed = parseFeed(await (await request.get(`/tags/feed-${unique}/feed.xml`)).text());
  expect(tagFeed.items.map((i) => i.title)).toEqual([`Feed ${unique}`]);
  absolute(tagFeed.items[0]?.content, 'the tag’s feed');
  expect((await request.get('/tags/no-such-tag/feed.xml')).status()).toBe(404);
});

test('a post carries structured data, a shareable image, reading time and neighbours', async ({ page, request, baseURL }) => {
  await page.goto('/posts/why-sqlite-is-enough-for-your-blog');
  const data = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
  const [article, breadcrumbs] = data;
  expect(article).toMatchObject({
    '@type': 'BlogPosting',
    headline: 'Why SQLite is enough for your blog',
    url: `${baseURL}/posts/why-sqlite-is-enough-for-your-blog`,
    datePublished: expect.any(String),
    dateModified: expect.any(String),
    author: { '@type': 'Person' },
  });
  expect(breadcrumbs['@type']).toBe('BreadcrumbList');

  const image = await page.locator('meta[property="og:image"]').getAttribute('content');
  expect(await page.locator('meta[name="twitter:card"]').getAttribute('content')).toBe('summary_large_image');
  const png = await request.get(new URL(image!).pathname + new URL(image!).search);
  expect(png.status()).toBe(200);
  expect(png.headers()['content-type']).toBe('image/png');
  expect((await png.body()).subarray(1, 4).toString()).toBe('PNG');

  await expect(page.locator('.page-header .meta')).toContainText('min read');
  await expect(page.getByRole('link', { name: /Previous post/ })).toHaveAttribute('href', /\/posts\/writing-posts-in-markdown$/);
  await expect(page.getByRole('link', { name: /Next post/ })).toHaveAttribute('href', /\/posts\//);
});
