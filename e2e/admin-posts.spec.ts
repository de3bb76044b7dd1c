import type { APIRequestContext, Page } from '@playwright/test';
import { AUTHOR_STATE, expect, test } from './fixtures';

/*
 * The author's list of posts: tabs by status with counts, a search over the posts' words, and each
 * row's View (or Preview) and Delete. Every post here carries the test's unique word, so a search for
 * it shows only this test's posts, whatever other specs write meanwhile.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

interface Created {
  id: number;
  slug: string;
  title: string;
}

async function createPost(api: APIRequestContext, data: Record<string, unknown>): Promise<Created> {
  const response = await api.post('/api/posts', { data });
  expect(response.status()).toBe(201);
  return response.json();
}

/** A published, a scheduled and a draft post, each with `unique` in its text only. */
async function onePostOfEach(api: APIRequestContext, unique: string) {
  const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
  return {
    published: await createPost(api, { title: `Live ${unique}`, body: `Out now. ${unique}`, status: 'published' }),
    scheduled: await createPost(api, { title: `Soon ${unique}`, body: `Coming. ${unique}`, status: 'scheduled', publishedAt: inAWeek }),
    draft: await createPost(api, { title: `Unfinished ${unique}`, body: `Half a thought about pelicans. ${unique}`, status: 'draft' }),
  };
}

const tabs = (page: Page) => page.getByRole('navigation', { name: 'Post status' });
const rows = (page: Page) => page.locator('.admin-table tbody tr');

test.describe('the posts list', () => {
  test.use({ storageState: AUTHOR_STATE });

  test('tabs keep one status, with counts that follow the search', async ({ page, api, unique }) => {
    const { published, scheduled, draft } = await onePostOfEach(api, unique);
    await page.goto('/admin/posts');
    await page.getByRole('searchbox', { name: 'Search posts' }).fill(unique);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/posts\\?q=${unique}$`));
    await expect(rows(page)).toHaveCount(3);
    for (const name of ['All (3)', 'Drafts (1)', 'Scheduled (1)', 'Published (1)'])
      await expect(tabs(page).getByRole('link', { name })).toBeVisible();
    await expect(tabs(page).getByRole('link', { name: 'All (3)' })).toHaveAttribute('aria-current', 'page');

    for (const [tab, post, badge] of [
      ['Drafts (1)', draft, 'Draft'],
      ['Scheduled (1)', scheduled, 'Scheduled'],
      ['Published (1)', published, 'Published'],
    ] as const) {
      await tabs(page).getByRole('link', { name: tab }).click();
      await expect(tabs(page).getByRole('link', { name: tab })).toHaveAttribute('aria-current', 'page');
      await expect(rows(page)).toHaveCount(1);
      await expect(rows(page).getByRole('link', { name: post.title, exact: true })).toBeVisible();
      // The badge agrees with the tab.
      await expect(rows(page).locator('.badge')).toHaveText(badge);
    }

    // A search from a tab stays in it.
    await tabs(page).getByRole('link', { name: 'Drafts (1)' }).click();
    await expect(tabs(page).getByRole('link', { name: 'Drafts (1)' })).toHaveAttribute('aria-current', 'page');
    await page.getByRole('searchbox', { name: 'Search posts' }).fill(`pelicans ${unique}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(new RegExp(`\\?q=pelicans\\+${unique}&status=draft$`));
    await expect(rows(page)).toHaveCount(1);
    await page.getByRole('searchbox', { name: 'Search posts' }).fill(`Out now ${unique}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(new RegExp(`\\?q=Out\\+now\\+${unique}&status=draft$`));
    await expect(rows(page)).toHaveCount(0);
    await expect(page.getByText(`No drafts match “Out now ${unique}”.`)).toBeVisible();
    await expect(tabs(page).getByRole('link', { name: 'Published (1)' })).toBeVisible();
  });

  test('the search finds a draft by a word of its text', async ({ page, api, unique }) => {
    const { draft } = await onePostOfEach(api, unique);
    await page.goto(`/admin/posts?q=${encodeURIComponent(`pelican ${unique}`)}`);
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).getByRole('link', { name: draft.title, exact: true })).toBeVisible();
    // The word being typed matches the start of longer words.
    await page.goto(`/admin/posts?q=${encodeURIComponent(`${unique} pelic`)}`);
    await expect(rows(page)).toHaveCount(1);
  });

  test('each row has View (or Preview) and Delete, named by its post; Delete asks, then says what it did', async ({
    page,
    api,
    unique,
  }) => {
    const { published, scheduled, draft } = await onePostOfEach(api, unique);
    await page.goto(`/admin/posts?q=${unique}`);
    await expect(page.getByRole('link', { name: `View “${published.title}”` })).toHaveAttribute('href', `/posts/${published.slug}`);
    await expect(page.getByRole('link', { name: `Preview “${scheduled.title}”` })).toHaveAttribute(
      'href',
      `/posts/${scheduled.slug}/preview`,
    );
    await expect(page.getByRole('link', { name: `Preview “${draft.title}”` })).toHaveAttribute('href', `/posts/${draft.slug}/preview`);
    await page.getByRole('link', { name: `View “${published.title}”` }).click();
    await expect(page).toHaveURL(new RegExp(`/posts/${published.slug}$`));
    await expect(page.getByRole('heading', { level: 1, name: published.title })).toBeVisible();

    await page.goto(`/admin/posts?q=${unique}`);
    const remove = page.getByRole('button', { name: `Delete “${draft.title}”` });
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toBe(`Delete “${draft.title}” and its comments? This cannot be undone.`);
      void dialog.dismiss();
    });
    await remove.click();
    await expect(rows(page)).toHaveCount(3);
    expect((await api.get(`/api/admin/posts?q=${unique}&status=draft`).then((r) => r.json())).data).toHaveLength(1);

    page.once('dialog', (dialog) => dialog.accept());
    await remove.click();
    await expect(page.getByRole('status').filter({ hasText: `Deleted “${draft.title}”.` })).toBeVisible();
    await expect(rows(page)).toHaveCount(2);
    await expect(tabs(page).getByRole('link', { name: 'Drafts (0)' })).toBeVisible();
    expect((await api.get(`/api/admin/posts?q=${unique}&status=draft`).then((r) => r.json())).data).toHaveLength(0);
    // The keyboard stays in the list, on a remaining row's Delete.
    await expect(page.locator(':focus')).toHaveAccessibleName(/^Delete “/);
  });

  test('without JavaScript, tabs, search and pages of a tab work; Delete waits for script', async ({ browser, api, unique }) => {
    // More drafts than a page holds, so the next page must keep the tab and the search.
    for (let i = 0; i < 26; i++) await createPost(api, { title: `Many ${i} ${unique}`, body: `Draft ${unique}.`, status: 'draft' });
    await createPost(api, { title: `Live ${unique}`, body: `Out now ${unique}.`, status: 'published' });
    const context = await browser.newContext({ storageState: AUTHOR_STATE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/admin/posts?status=draft');
    await page.getByRole('searchbox', { name: 'Search posts' }).fill(unique);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/status=draft/);
    await expect(tabs(page).getByRole('link', { name: 'Drafts (26)' })).toHaveAttribute('aria-current', 'page');
    await expect(tabs(page).getByRole('link', { name: 'All (27)' })).toBeVisible();
    await expect(rows(page)).toHaveCount(25);
    await expect(
      rows(page)
        .first()
        .getByRole('button', { name: /^Delete/ }),
    ).toBeDisabled();
    await page.getByRole('link', { name: 'Older posts →' }).click();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).getByRole('link', { name: `Many 0 ${unique}`, exact: true })).toBeVisible();
    await tabs(page).getByRole('link', { name: 'Published (1)' }).click();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).getByRole('link', { name: `Live ${unique}`, exact: true })).toBeVisible();
    await context.close();
  });

  test('fits a phone and a desktop, with every row’s actions in reach', async ({ page, api, unique }) => {
    await onePostOfEach(api, unique);
    await createPost(api, {
      title: `A rather long title that has to wrap on a narrow phone screen somewhere ${unique}`,
      body: unique,
      status: 'draft',
    });
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      await page.goto(`/admin/posts?q=${unique}`);
      await expect(rows(page)).toHaveCount(4);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${viewport.width}px`).toBeLessThanOrEqual(viewport.width);
      for (const control of await rows(page).locator('.row-actions a, .row-actions button').all()) {
        await expect(control).toBeVisible();
        const box = (await control.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      }
      const tabBox = (await tabs(page).boundingBox())!;
      expect(tabBox.x + tabBox.width).toBeLessThanOrEqual(viewport.width);
    }
  });
});
