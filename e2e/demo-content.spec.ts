import { expect, test } from './fixtures';

/*
 * The demo content is the first thing a new blog shows: it must stay true as Quire changes. Every
 * link in it leads somewhere that exists, and it shows tags, code highlighting and threads.
 */

test('every link in the demo posts leads to a page that exists', async ({ page, request, baseURL }) => {
  const { data } = (await (await request.get('/api/posts?limit=50')).json()) as { data: { slug: string; tags: unknown[] }[] };
  const demo = data.filter((post) => post.tags.length > 0);
  expect(demo.length).toBeGreaterThanOrEqual(10);
  const links = new Set<string>();
  for (const post of demo) {
    await page.goto(`/posts/${post.slug}`);
    for (const href of await page
      .locator('article.post > .prose a[href]')
      .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href))) {
      if (href.startsWith(baseURL!)) links.add(href.split('#')[0]!);
    }
  }
  expect(links.size).toBeGreaterThan(3);
  for (const link of links) expect((await request.get(link)).status(), link).toBe(200);
});

test('the demo shows tags and highlighted code', async ({ page }) => {
  await page.goto('/tags');
  await expect(page.getByRole('link', { name: /SQLite/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Accessibility/ })).toBeVisible();
  await page.goto('/posts/writing-posts-in-markdown');
  await expect(page.locator('.prose pre').first()).toBeVisible();
  // Highlighted tokens are spans inside the code; a plain block has none.
  expect(await page.locator('.prose pre code span').count()).toBeGreaterThan(5);
});

test('the welcome post points at the admin area, not at curl and ADMIN_TOKEN', async ({ page }) => {
  await page.goto('/posts/welcome-to-quire');
  const text = page.locator('article.post > .prose');
  await expect(text).toContainText('On the Site page');
  await expect(text.locator('a[href="/admin"]')).toBeVisible();
  await expect(text).not.toContainText('ADMIN_TOKEN');
});
