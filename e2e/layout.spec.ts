import type { Locator, Page } from '@playwright/test';
import { AUTHOR, AUTHOR_STATE, expect, test } from './fixtures';

/*
 * How pages are laid out on a phone and on a desktop: what fits, what lines up, and what each
 * header and footer offers. Measured in the browser, since these are the things a stylesheet breaks.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** The page's side padding (`.container`, 1.25rem). */
const GUTTER = 20;

async function pageWidth(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Each GFM task item: a checkbox of ordinary size, on the first line of its text and before it, with no bullet. */
async function expectInlineTaskItems(items: Locator) {
  await expect(items.first()).toBeVisible();
  for (const item of await items.all()) {
    const layout = await item.evaluate((li) => {
      const box = li.querySelector('input[type="checkbox"]')!.getBoundingClientRect();
      const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT, {
        acceptNode: (node) => (node.textContent!.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP),
      });
      const range = document.createRange();
      range.selectNodeContents(walker.nextNode()!);
      const text = range.getClientRects()[0]!;
      return {
        width: box.width,
        height: box.height,
        right: box.right,
        middle: (box.top + box.bottom) / 2,
        textLeft: text.left,
        textTop: text.top,
        textBottom: text.bottom,
        bullet: getComputedStyle(li).listStyleType,
      };
    });
    expect(layout.width, 'checkbox width').toBeLessThanOrEqual(24);
    expect(layout.height, 'checkbox height').toBeLessThanOrEqual(24);
    expect(layout.right, 'checkbox before its text').toBeLessThanOrEqual(layout.textLeft);
    expect(layout.middle, 'checkbox on the text’s first line').toBeGreaterThan(layout.textTop);
    expect(layout.middle, 'checkbox on the text’s first line').toBeLessThan(layout.textBottom);
    expect(layout.bullet).toBe('none');
  }
}

test('task-list checkboxes sit inline before their text in a post', async ({ page }) => {
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    await page.goto('/posts/writing-posts-in-markdown');
    await expectInlineTaskItems(page.locator('.prose li.task-list-item'));
  }
});

test('the header search: box and button line up with a gap, and fill a phone’s width', async ({ page }) => {
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    await page.goto('/');
    const search = page.getByRole('banner').getByRole('search');
    const input = (await search.getByRole('searchbox', { name: 'Search posts' }).boundingBox())!;
    const button = (await search.getByRole('button', { name: 'Search' }).boundingBox())!;
    expect(Math.abs(input.height - button.height), `same height at ${viewport.width}px`).toBeLessThanOrEqual(1);
    expect(Math.abs(input.y - button.y), `same top at ${viewport.width}px`).toBeLessThanOrEqual(1);
    expect(button.x - (input.x + input.width), `a gap at ${viewport.width}px`).toBeGreaterThanOrEqual(4);
    if (viewport === PHONE) {
      expect(input.x).toBeCloseTo(GUTTER, 0);
      expect(button.x + button.width).toBeCloseTo(PHONE.width - GUTTER, 0);
    }
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
  }
});

test('the footer keeps the API and the sitemap on a smaller line of their own', async ({ page }) => {
  await page.goto('/');
  const footer = page.getByRole('contentinfo');
  const rss = footer.getByRole('link', { name: 'RSS' });
  for (const name of ['API', 'Sitemap']) {
    const link = footer.getByRole('link', { name });
    await expect(link).toBeVisible();
    const [linkBox, rssBox] = [(await link.boundingBox())!, (await rss.boundingBox())!];
    expect(linkBox.y, `${name} below the feeds`).toBeGreaterThanOrEqual(rssBox.y + rssBox.height);
    const size = (locator: Locator) => locator.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
    expect(await size(link), `${name} in smaller type`).toBeLessThan(await size(rss));
  }
});

test('not-found pages say what was not found, inside the site’s header and footer', async ({ page }) => {
  for (const [path, heading, text] of [
    ['/tags/no-such-tag', 'Tag not found', /no tag/i],
    ['/posts/no-such-post', 'Page not found', /post may have been moved/],
    ['/no/such/page', 'Page not found', /nothing at this address/],
  ] as const) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }), path).toHaveText(heading);
    await expect(page.getByRole('main'), path).toContainText(text);
    if (path !== '/posts/no-such-post') await expect(page.getByRole('main'), path).not.toContainText('post may have been moved');
    await expect(page.getByRole('banner').getByRole('link', { name: 'Quire' }), path).toBeVisible();
    await expect(page.getByRole('contentinfo'), path).toBeVisible();
  }
});

test('the sign-in page fits a phone', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto('/admin/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
});

test.describe('signed in as the author', () => {
  test.use({ storageState: AUTHOR_STATE });

  test('the editor’s preview shows task-list checkboxes inline', async ({ page }) => {
    await page.goto('/admin/posts/new');
    await expect(page.locator('form.editor[data-ready]')).toBeAttached();
    await page.getByLabel('Text (Markdown)').fill('- [ ] Draft the post\n- [x] Pick a title\n');
    await expectInlineTaskItems(page.locator('.editor-preview li.task-list-item'));
  });

  test('the admin has its own header: the site’s name, its menu, the author and Sign out, and no site search', async ({ page }) => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto('/admin/posts');
      const header = page.getByRole('banner');
      await expect(header.getByRole('link', { name: 'Quire' })).toHaveAttribute('href', '/');
      const menu = header.getByRole('navigation', { name: 'Admin' });
      for (const name of ['Posts', /^Comments/, 'Settings', 'API tokens']) await expect(menu.getByRole('link', { name })).toBeVisible();
      await expect(menu.getByRole('link', { name: 'Posts' })).toHaveAttribute('aria-current', 'page');
      await expect(header).toContainText(AUTHOR.name);
      await expect(header.getByRole('button', { name: 'Sign out' })).toBeVisible();
      // One search on the page: the list's own, for posts.
      await expect(page.getByRole('search')).toHaveCount(1);
      await expect(page.getByRole('searchbox', { name: 'Search posts' })).toBeVisible();
      // The header spans the same column as the page, its name over the page's heading.
      const title = (await header.getByRole('link', { name: 'Quire' }).boundingBox())!;
      const heading = (await page.getByRole('heading', { level: 1 }).boundingBox())!;
      expect(title.x).toBeCloseTo(heading.x, 0);
      const signOut = (await header.getByRole('button', { name: 'Sign out' }).boundingBox())!;
      const newPost = (await page.getByRole('link', { name: 'New post' }).boundingBox())!;
      expect(signOut.x + signOut.width).toBeCloseTo(newPost.x + newPost.width, 0);
      expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
    }
  });

  test('every admin page fits a phone, with every column of its tables in reach', async ({ page, api, post, unique }) => {
    for (const n of [1, 2])
      await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: `Phone ${n}`, body: `Phone ${unique} ${n}` } });
    await page.setViewportSize(PHONE);
    for (const path of [
      '/admin/posts',
      '/admin/posts/new',
      `/admin/posts/1`,
      '/admin/comments',
      '/admin/comments?status=approved',
      '/admin/comments?status=spam',
      '/admin/settings',
      '/admin/tokens',
      '/admin/account',
    ]) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await pageWidth(page), path).toBeLessThanOrEqual(PHONE.width);
    }

    // Every cell of the posts list is on screen, not cut off or hidden.
    await page.goto('/admin/posts');
    const cells = page.locator('.admin-table tbody tr').first().locator('td');
    await expect(cells).toHaveCount(6);
    for (const cell of await cells.all()) {
      await expect(cell).toBeVisible();
      const box = (await cell.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }

    // The bulk actions make one row of buttons.
    await page.goto('/admin/comments?status=approved');
    const bulk = page.getByRole('group', { name: 'Bulk actions' }).getByRole('button');
    await expect(bulk).toHaveCount(3);
    const tops = await bulk.evaluateAll((buttons) => buttons.map((button) => Math.round(button.getBoundingClientRect().top)));
    expect(new Set(tops).size, 'bulk buttons on one row').toBe(1);

    // A token just made, shown once, and the list of tokens.
    await page.goto('/admin/tokens');
    await page.getByLabel('New token’s name').fill(`Phone ${unique}`);
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByRole('textbox', { name: 'Token', exact: true })).toBeVisible();
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    const row = page.getByRole('row', { name: new RegExp(`Phone ${unique}`) });
    const revoke = (await row.getByRole('button', { name: `Revoke Phone ${unique}` }).boundingBox())!;
    expect(revoke.x + revoke.width).toBeLessThanOrEqual(PHONE.width);
    page.once('dialog', (dialog) => dialog.accept());
    await row.getByRole('button', { name: `Revoke Phone ${unique}` }).click();
    await expect(row).toHaveCount(0);
  });

  test('an unknown post in the admin is a not-found page inside the admin', async ({ page }) => {
    const response = await page.goto('/admin/posts/999999');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Post not found');
    await expect(page.getByRole('banner').getByRole('navigation', { name: 'Admin' })).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'All posts' })).toBeVisible();
  });
});
