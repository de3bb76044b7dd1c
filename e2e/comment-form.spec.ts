import { CommentSection } from './comment-form.po';
import { expect, test } from './fixtures';

/*
 * The reader's comment form: a held comment stays with its writer (issue 24, item 9), the length
 * limit is shown and enforced without cutting text (item 10), and the keyboard sends (item 11).
 */

/** More links than the spam check allows (maxLinks is 2): this comment alone is held, whatever other specs do. */
const links = 'https://a.example https://b.example https://c.example';
const AWAITING = /awaiting moderation/i;

test.describe('a held comment', () => {
  test('stays with its writer after a reload, marked as awaiting moderation, and with no one else', async ({
    browser,
    request,
    post,
    unique,
  }) => {
    const writer = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await writer.newPage();
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    await comments.write('Held Writer', `Held ${unique}: ${links}`);
    const held = comments.comment(`Held ${unique}`);
    await expect(held).toBeVisible();
    await expect(held).toContainText(AWAITING);

    await page.reload();
    await expect(held).toBeVisible();
    await expect(held).toContainText(AWAITING);
    await expect(held.locator('.comment-author')).toHaveText('Held Writer');
    // It cannot be answered before it is approved.
    await expect(held.getByRole('link', { name: /^Reply/ })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Comments', level: 2 })).toBeVisible();

    // The page's HTML, even as the writer's browser gets it, never holds it: it is added in the browser.
    for (const client of [page.request, request]) {
      const html = await (await client.get(`/posts/${post.slug}`)).text();
      expect(html).toContain(post.title);
      expect(html).not.toContain(`Held ${unique}`);
    }

    // Another reader sees nothing of it, and cannot ask for it.
    const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const otherPage = await other.newPage();
    await otherPage.goto(`/posts/${post.slug}`);
    await new CommentSection(otherPage).enhanced();
    await expect(otherPage.getByText(`Held ${unique}`)).toHaveCount(0);
    const mine = await otherPage.request.get(`/api/posts/${post.slug}/comments/mine`);
    expect(mine.status()).toBe(200);
    expect(await mine.json()).toEqual({ data: [] });
    await other.close();
    await writer.close();
  });

  test('without JavaScript, the page the form returns to shows it to its writer; the post page does not', async ({
    browser,
    post,
    unique,
  }) => {
    const writer = await browser.newContext({ javaScriptEnabled: false, storageState: { cookies: [], origins: [] } });
    const page = await writer.newPage();
    await page.goto(`/posts/${post.slug}`);
    const comments = new CommentSection(page);
    await comments.write('No Script', `Held without script ${unique}: ${links}`);
    await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}\\?held=1#comment-form$`));
    const held = comments.comment(`Held without script ${unique}`);
    await expect(held).toContainText(AWAITING);
    await expect(comments.notice).not.toHaveText('');
    // The cached page is the same for everyone: it cannot know whose browser asks.
    await page.goto(`/posts/${post.slug}`);
    await expect(held).toHaveCount(0);
    await writer.close();
  });

  test('a held reply shows under the comment it answers after a reload', async ({ browser, api, post, unique }) => {
    const parent = await (
      await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: 'Grace', body: `Parent ${unique}` } })
    ).json();
    const writer = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await writer.newPage();
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    await comments.replyTo('Grace').click();
    await comments.write('Ada', `Held reply ${unique}: ${links}`);
    await expect(comments.item(parent.id).locator('> .comment-list')).toContainText(`Held reply ${unique}`);

    await page.reload();
    const replies = comments.item(parent.id).locator('> .comment-list > li > article');
    await expect(replies).toHaveCount(1);
    await expect(replies).toContainText(`Held reply ${unique}`);
    await expect(replies).toContainText(AWAITING);
    await writer.close();
  });

  test('an approved comment loses the mark and shows to everyone', async ({ browser, api, post, unique }) => {
    const writer = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await writer.newPage();
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    await comments.write('Ada', `Soon approved ${unique}: ${links}`);
    const held = comments.comment(`Soon approved ${unique}`);
    await expect(held).toContainText(AWAITING);
    const id = Number((await held.getAttribute('id'))!.replace('comment-', ''));

    expect((await api.patch(`/api/comments/${id}`, { data: { status: 'approved' } })).status()).toBe(200);
    await page.reload();
    await expect(held).toBeVisible();
    await expect(held).not.toContainText(AWAITING);
    await expect(page.locator(`#comment-${id}`)).toHaveCount(1);
    await writer.close();
  });
});

test.describe('the length limit', () => {
  test('is counted near the limit and an overlong paste is refused with a message, not cut', async ({ browser, api, post, unique }) => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    const counter = page.locator('#comment-body-count');
    const error = page.locator('#comment-body-error');

    // Far from the limit there is nothing to count.
    await comments.body.fill('a'.repeat(3_999));
    await expect(counter).toBeHidden();
    // From 80 %, the count; characters as the server counts them (an emoji is one).
    await comments.body.fill(`${'a'.repeat(4_199)}😀`);
    await expect(counter).toHaveText('4,200 / 5,000 characters');
    await expect(comments.body).toHaveAttribute('aria-describedby', /comment-body-count/);
    // Screen readers hear it once as the limit nears, not at every key.
    const announcement = comments.announcer;
    await expect(announcement).toHaveText('800 characters left.');
    await comments.body.press('End');
    await page.keyboard.type('bc');
    await expect(counter).toHaveText('4,202 / 5,000 characters');
    await expect(announcement).toHaveText('800 characters left.');

    // A paste past the limit is kept whole and refused with a message.
    const long = `${unique} ${'x'.repeat(5_100)}`;
    await comments.body.fill('');
    await page.evaluate((text) => navigator.clipboard.writeText(text), long);
    await comments.body.focus();
    await page.keyboard.press('ControlOrMeta+V');
    await expect(comments.body).toHaveValue(long);
    await expect(counter).toHaveText(`${long.length.toLocaleString('en')} / 5,000 characters`);
    await expect(error).toHaveText(
      `Comment must be at most 5,000 characters: this one has ${(long.length - 5_000).toLocaleString('en')} too many.`,
    );
    await expect(comments.body).toHaveAttribute('aria-invalid', 'true');
    await expect(announcement).toHaveText(`${(long.length - 5_000).toLocaleString('en')} characters too many.`);

    // Sending is refused until it is shortened; nothing is lost.
    await comments.name.fill('Ada');
    await comments.submit.click();
    await expect(comments.body).toBeFocused();
    await expect(comments.body).toHaveValue(long);
    await expect(error).toBeVisible();
    expect((await (await api.get(`/api/posts/${post.slug}/comments`)).json()).data).toEqual([]);

    await comments.body.press('ControlOrMeta+A');
    await page.keyboard.type(`Short ${unique}`);
    await expect(error).toHaveCount(0);
    await expect(counter).toBeHidden();
    await comments.submit.click();
    await expect(comments.comment(`Short ${unique}`)).toBeVisible();
    await context.close();
  });
});

test.describe('the keyboard', () => {
  test('Ctrl+Enter sends a comment and focus moves to it', async ({ page, post, unique }) => {
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    await comments.name.fill('Keys');
    await comments.body.focus();
    await page.keyboard.type(`Sent by keys ${unique}`);
    await page.keyboard.press('Control+Enter');
    const comment = comments.comment(`Sent by keys ${unique}`);
    await expect(comment).toBeVisible();
    await expect(comment).toBeFocused();
    await expect(comments.body).toHaveValue('');

    // Cmd+Enter, as on a Mac, in a reply.
    await comment.getByRole('link', { name: 'Reply to Keys' }).click();
    await expect(comments.body).toBeFocused();
    await page.keyboard.type(`Reply by keys ${unique}`);
    await page.keyboard.press('Meta+Enter');
    const reply = comments.comment(`Reply by keys ${unique}`);
    await expect(reply).toBeFocused();
  });

  test('after a held comment is sent, by keyboard or button, focus moves to it, not to the page', async ({ browser, post, unique }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    await comments.name.fill('Keys');
    await comments.body.focus();
    await page.keyboard.type(`Held by keys ${unique}: ${links}`);
    await page.keyboard.press('Control+Enter');
    const byKeys = comments.comment(`Held by keys ${unique}`);
    await expect(byKeys).toBeFocused();
    await expect(byKeys).toContainText(AWAITING);
    await expect(comments.notice).not.toHaveText('');

    await comments.body.fill(`Held by button ${unique}: ${links}`);
    await comments.submit.click();
    const byButton = comments.comment(`Held by button ${unique}`);
    await expect(byButton).toBeFocused();
    await expect(byButton).toContainText(AWAITING);
    await context.close();
  });

  test('Ctrl+Enter with an empty name shows the error and focuses the name', async ({ page, post }) => {
    await page.goto(`/posts/${post.slug}`);
    const comments = await new CommentSection(page).enhanced();
    await comments.body.focus();
    await page.keyboard.type('No name yet');
    await page.keyboard.press('Control+Enter');
    await expect(page.locator('#comment-authorName-error')).toHaveText('Name is required.');
    await expect(comments.name).toBeFocused();
  });
});
