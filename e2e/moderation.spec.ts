import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import type { CommentStatus } from '@/lib/comments/schemas';
import { AUTHOR_STATE, expect, test } from './fixtures';

/*
 * The moderation queue (issue 11 item 12): which comment a reply answers and where it sits on the
 * post, filters by post and text, the author's edits, plain wording, and results announced with Undo.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

type Posted = { id: number };

async function comment(api: APIRequestContext, slug: string, data: { authorName: string; body: string; parentId?: number }) {
  const response = await api.post(`/api/posts/${slug}/comments`, { data });
  expect(response.status()).toBe(201);
  return (await response.json()) as Posted;
}

async function setStatus(api: APIRequestContext, id: number, status: CommentStatus) {
  expect((await api.patch(`/api/comments/${id}`, { data: { status } })).status()).toBe(200);
}

async function statusOf(api: APIRequestContext, slug: string, id: number) {
  for (const status of ['pending', 'approved', 'spam']) {
    const page = await (await api.get(`/api/admin/comments?status=${status}&post=${slug}&limit=100`)).json();
    if (page.data.some((c: Posted) => c.id === id)) return status;
  }
  return 'deleted';
}

/** A queue row, found by its text. */
const rowOf = (page: Page, text: string) => page.locator('.queue-item', { hasText: text });
/** The queue's one live region for results. */
const statusMessage = (page: Page) => page.locator('.queue [role="status"]');

async function pageWidth(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

async function expectNoAxeViolations(page: Page, label: string) {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    label,
  ).toEqual([]);
}

/** The queue hydrates before its buttons do anything. */
async function ready(page: Page) {
  await expect(page.locator('.queue[data-ready]')).toBeAttached();
}

test.describe('the moderation queue', () => {
  test.use({ storageState: AUTHOR_STATE });

  test('a reply says which comment it answers, and every comment links to its place on the post', async ({
    page,
    api,
    post,
    unique,
    baseURL,
  }) => {
    const parent = await comment(api, post.slug, {
      authorName: 'Grace',
      body: `The **parent** text ${unique}, which goes on and on ${'and on '.repeat(30)}`,
    });
    const reply = await comment(api, post.slug, { authorName: 'Alan', body: `Approved answer ${unique}`, parentId: parent.id });
    const held = await comment(api, post.slug, { authorName: 'Held', body: `Held answer ${unique}`, parentId: parent.id });
    await setStatus(api, held.id, 'pending');

    await page.goto(`/admin/comments?status=approved&post=${post.slug}`);
    const row = rowOf(page, `Approved answer ${unique}`);
    await expect(row.getByText('In reply to Grace')).toBeVisible();
    // An excerpt of the parent, as plain text, cut short.
    await expect(row.locator('.queue-context')).toContainText(`The parent text ${unique}, which goes on`);
    await expect(row.locator('.queue-context')).toContainText('…');
    await expect(row.getByRole('link', { name: post.title })).toHaveAttribute('href', `/posts/${post.slug}`);
    const inContext = row.getByRole('link', { name: /View in context/ });
    await expect(inContext).toHaveAttribute('href', `${baseURL}/posts/${post.slug}#comment-${reply.id}`);
    await inContext.click();
    await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}#comment-${reply.id}$`));
    await expect(page.locator(`#comment-${reply.id}`)).toContainText(`Approved answer ${unique}`);

    // A held reply is not on the post yet: it links to the comment it answers.
    await page.goto(`/admin/comments?status=pending&post=${post.slug}`);
    const heldRow = rowOf(page, `Held answer ${unique}`);
    await expect(heldRow.getByText('In reply to Grace')).toBeVisible();
    await expect(heldRow.getByRole('link', { name: /View in context/ })).toHaveAttribute(
      'href',
      `${baseURL}/posts/${post.slug}#comment-${parent.id}`,
    );
  });

  test('filters by post and searches text and email, without JavaScript too', async ({ browser, page, api, post, unique }) => {
    const other = await (await api.post('/api/posts', { data: { title: `Other ${unique}`, body: 'Other.', status: 'published' } })).json();
    await comment(api, post.slug, { authorName: 'Here', body: `Needle here ${unique}` });
    await comment(api, post.slug, { authorName: 'Plain', body: `Haystack ${unique}` });
    await comment(api, other.slug, { authorName: 'There', body: `Needle there ${unique}` });
    const withEmail = await (
      await api.post(`/api/posts/${post.slug}/comments`, {
        data: { authorName: 'Mailer', authorEmail: `mailer-${unique}@example.com`, body: `By mail ${unique}` },
      })
    ).json();

    await page.goto('/admin/comments?status=approved');
    const filter = page.getByRole('search', { name: 'Filter comments' });
    await filter.getByLabel('Post').selectOption({ label: post.title });
    await filter.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(new RegExp(`status=approved&post=${post.slug}`));
    await expect(rowOf(page, `Needle here ${unique}`)).toBeVisible();
    await expect(rowOf(page, `Needle there ${unique}`)).toHaveCount(0);
    // The tabs keep the filter.
    await expect(page.getByRole('link', { name: /^Pending/ })).toHaveAttribute('href', new RegExp(`post=${post.slug}`));

    await filter.getByLabel('Search comments').fill(`needle here ${unique}`);
    await filter.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('.queue-item')).toHaveCount(1);
    await expect(rowOf(page, `Needle here ${unique}`)).toBeVisible();

    // Searching everything finds the email; clearing shows the whole tab again.
    await page.goto(`/admin/comments?status=approved&q=${encodeURIComponent(`mailer-${unique}@`)}`);
    await expect(page.locator('.queue-item')).toHaveCount(1);
    await expect(page.locator(`.queue-item:has-text("By mail ${unique}")`)).toBeVisible();
    expect(withEmail.id).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await expect(page).toHaveURL(/\/admin\/comments\?status=approved$/);

    // The filter is a plain GET form.
    const context = await browser.newContext({ storageState: AUTHOR_STATE, javaScriptEnabled: false });
    const noScript = await context.newPage();
    await noScript.goto('/admin/comments?status=approved');
    const form = noScript.getByRole('search', { name: 'Filter comments' });
    await form.getByLabel('Post').selectOption({ label: `Other ${unique}` });
    await form.getByLabel('Search comments').fill('needle');
    await form.getByRole('button', { name: 'Filter' }).click();
    await expect(noScript).toHaveURL(new RegExp(`post=${other.slug}&q=needle`));
    await expect(noScript.locator('.queue-item')).toHaveCount(1);
    await expect(rowOf(noScript, `Needle there ${unique}`)).toBeVisible();
    await context.close();
    await api.delete(`/api/posts/${other.slug}`);
  });

  test('the author edits a reader’s comment in place, and the post shows the new text', async ({ page, api, post, unique }) => {
    const posted = await comment(api, post.slug, { authorName: 'Typist', body: `Tpyo ${unique} see https://spam.example` });
    await page.goto(`/admin/comments?status=approved&post=${post.slug}`);
    await ready(page);
    const row = rowOf(page, `Tpyo ${unique}`);
    await row.getByRole('button', { name: 'Edit' }).click();
    const text = row.getByLabel('Typist’s comment (Markdown)');
    await expect(text).toHaveValue(`Tpyo ${unique} see https://spam.example`);
    await expect(text).toBeFocused();

    // The server's messages show against the field.
    await text.fill('   ');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByText('Comment is required.')).toBeVisible();

    await text.fill(`Typo **fixed** ${unique}`);
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(statusMessage(page)).toHaveText('Saved your change to Typist’s comment.');
    const edited = rowOf(page, `Typo fixed ${unique}`);
    await expect(edited.locator('.comment-body strong')).toHaveText('fixed');
    await expect(edited.getByText('edited')).toBeVisible();
    await expect(edited.getByRole('button', { name: 'Edit' })).toBeFocused();
    expect(await statusOf(api, post.slug, posted.id)).toBe('approved');

    await page.goto(`/posts/${post.slug}`);
    await expect(page.locator(`#comment-${posted.id} .comment-body`)).toHaveText(`Typo fixed ${unique}`);
  });

  test('actions use plain words', async ({ page, api, post, unique }) => {
    const pending = await comment(api, post.slug, { authorName: 'Waiting', body: `Waiting ${unique}` });
    await setStatus(api, pending.id, 'pending');
    const spam = await comment(api, post.slug, { authorName: 'Spammer', body: `Spam ${unique}` });
    await setStatus(api, spam.id, 'spam');
    await comment(api, post.slug, { authorName: 'Shown', body: `Shown ${unique}` });

    const buttons = (row: Locator) => row.locator('.queue-actions button').allTextContents();
    const bulk = () => page.getByRole('group', { name: 'Bulk actions' }).getByRole('button').allTextContents();
    await page.goto(`/admin/comments?status=approved&post=${post.slug}`);
    expect(await buttons(rowOf(page, `Shown ${unique}`))).toEqual(['Unapprove', 'Spam', 'Delete', 'Edit', 'Reply']);
    expect(await bulk()).toEqual(['Unapprove selected', 'Spam selected', 'Delete selected']);
    await page.goto(`/admin/comments?status=pending&post=${post.slug}`);
    expect(await buttons(rowOf(page, `Waiting ${unique}`))).toEqual(['Approve', 'Spam', 'Delete', 'Edit', 'Approve and reply']);
    await page.goto(`/admin/comments?status=spam&post=${post.slug}`);
    expect(await buttons(rowOf(page, `Spam ${unique}`))).toEqual(['Not spam', 'Delete', 'Edit']);
    expect(await bulk()).toEqual(['Not spam selected', 'Delete selected']);
    await expect(page.getByText('Hold', { exact: true })).toHaveCount(0);
  });

  test('a result is announced, focus lands on it, and Undo puts the comments back', async ({ page, api, post, unique }) => {
    const one = await comment(api, post.slug, { authorName: 'One', body: `First ${unique}` });
    const two = await comment(api, post.slug, { authorName: 'Two', body: `Second ${unique}` });
    const three = await comment(api, post.slug, { authorName: 'Three', body: `Third ${unique}` });
    await setStatus(api, three.id, 'pending');

    await page.goto(`/admin/comments?status=approved&post=${post.slug}`);
    await ready(page);
    await rowOf(page, `First ${unique}`).getByRole('button', { name: 'Unapprove' }).click();
    const message = statusMessage(page);
    await expect(message).toHaveText('Unapproved 1 comment. Undo');
    await expect(message).toBeFocused();
    await expect(rowOf(page, `First ${unique}`)).toHaveCount(0);
    expect(await statusOf(api, post.slug, one.id)).toBe('pending');

    // Undo is the next stop for the keyboard.
    await page.keyboard.press('Tab');
    await expect(message.getByRole('button', { name: 'Undo' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(message).toHaveText('Restored 1 comment.');
    await expect(rowOf(page, `First ${unique}`)).toBeVisible();
    expect(await statusOf(api, post.slug, one.id)).toBe('approved');

    // Bulk: each comment goes back to the status it had.
    await page.goto(`/admin/comments?status=pending&post=${post.slug}`);
    await ready(page);
    await rowOf(page, `Third ${unique}`).getByRole('button', { name: 'Spam' }).click();
    await expect(message).toHaveText('Marked 1 comment as spam. Undo');
    await page.goto(`/admin/comments?status=approved&post=${post.slug}`);
    await ready(page);
    await page.getByLabel('Select all').check();
    await page.getByRole('button', { name: 'Spam selected' }).click();
    await expect(message).toHaveText('Marked 2 comments as spam. Undo');
    expect([await statusOf(api, post.slug, one.id), await statusOf(api, post.slug, two.id)]).toEqual(['spam', 'spam']);
    await message.getByRole('button', { name: 'Undo' }).click();
    await expect(message).toHaveText('Restored 2 comments.');
    expect([await statusOf(api, post.slug, one.id), await statusOf(api, post.slug, two.id)]).toEqual(['approved', 'approved']);
    expect(await statusOf(api, post.slug, three.id)).toBe('spam');

    // Deleting cannot be undone, so it asks first and offers no Undo.
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await rowOf(page, `Second ${unique}`).getByRole('button', { name: 'Delete' }).click();
    await expect(message).toHaveText('Deleted 1 comment.');
    expect(asked).toContain('cannot be undone');
    await expect(message.getByRole('button')).toHaveCount(0);
    expect(await statusOf(api, post.slug, two.id)).toBe('deleted');
  });

  test('the last comment of a tab can be undone too', async ({ page, api, post, unique }) => {
    const only = await comment(api, post.slug, { authorName: 'Only', body: `Only ${unique}` });
    await page.goto(`/admin/comments?status=approved&post=${post.slug}`);
    await ready(page);
    await rowOf(page, `Only ${unique}`).getByRole('button', { name: 'Spam' }).click();
    await expect(page.getByText('No approved comments')).toBeVisible();
    await statusMessage(page).getByRole('button', { name: 'Undo' }).click();
    await expect(rowOf(page, `Only ${unique}`)).toBeVisible();
    expect(await statusOf(api, post.slug, only.id)).toBe('approved');
  });

  test('fits a phone and a desktop, and is accessible with a result and an editor open', async ({ page, api, post, unique }) => {
    const parent = await comment(api, post.slug, {
      authorName: 'A reader with a rather long name indeed',
      body: `Parent ${unique} ${'verylongwordwithoutanybreaks'.repeat(4)} https://example.com/${'path/'.repeat(12)}`,
    });
    await api.post(`/api/posts/${post.slug}/comments`, {
      data: {
        authorName: 'Replier',
        authorEmail: `a-very-long-address-${unique}@subdomain.example.com`,
        body: `Reply ${unique}`,
        parentId: parent.id,
      },
    });
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      await page.goto(`/admin/comments?status=approved&post=${post.slug}&q=${unique}`);
      await ready(page);
      await rowOf(page, `Reply ${unique}`).getByRole('button', { name: 'Edit' }).click();
      expect(await pageWidth(page), `${viewport.width}px with the editor open`).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: test.info().outputPath(`moderation-${viewport.width}.png`), fullPage: true });
      await rowOf(page, `Reply ${unique}`).getByRole('button', { name: 'Cancel' }).click();
      await rowOf(page, `Reply ${unique}`).getByRole('button', { name: 'Unapprove' }).click();
      await expect(statusMessage(page)).toContainText('Unapproved 1 comment.');
      expect(await pageWidth(page), `${viewport.width}px with a result`).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: test.info().outputPath(`moderation-${viewport.width}-result.png`), fullPage: true });
      await expectNoAxeViolations(page, `the queue at ${viewport.width}px with a result`);
      await statusMessage(page).getByRole('button', { name: 'Undo' }).click();
      await expect(rowOf(page, `Reply ${unique}`)).toBeVisible();
    }
    // The action buttons wrap inside the row on a phone.
    await page.setViewportSize(PHONE);
    await page.reload();
    const actions = rowOf(page, `Reply ${unique}`).locator('.queue-actions');
    const box = (await actions.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  });
});

test.describe('the post editor', () => {
  test.use({ storageState: AUTHOR_STATE });

  test('says “Updated.” after Update, in an announced status message', async ({ page, api, unique }) => {
    const created = await (
      await api.post('/api/posts', { data: { title: `Status ${unique}`, body: 'Text.', status: 'published' } })
    ).json();
    const { id } = await (await api.get(`/api/admin/posts?q=${unique}`)).json().then((page) => page.data[0]);
    await page.goto(`/admin/posts/${id}`);
    await expect(page.locator('form.editor[data-ready]')).toBeAttached();
    await page.getByLabel('Summary').fill(`Changed ${unique}`);
    await page.getByRole('button', { name: 'Update' }).click();
    const message = page.locator('.editor .status-message');
    await expect(message).toHaveText('Updated.');
    await expect(message).toHaveAttribute('role', 'status');
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      expect(await pageWidth(page), `${viewport.width}px`).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: test.info().outputPath(`editor-status-${viewport.width}.png`) });
    }
    await page.getByRole('button', { name: 'Unpublish' }).click();
    await expect(message).toHaveText('Unpublished: the post is a draft again.');
    await page.getByRole('button', { name: 'Publish now' }).click();
    await expect(message).toHaveText('Published.');
    await api.delete(`/api/posts/${created.slug}`);
  });
});
