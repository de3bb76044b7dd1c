import { CommentSection } from './comment-form.po';
import { expect, test } from './fixtures';

test('a reader opens the home page and then a post', async ({ page, post }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Quire');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Quire');
  const posts = page.locator('.post-list > li');
  await expect(posts).toHaveCount(10);
  await expect(page.locator('.post-list')).toContainText(/\d+ comments?/);

  await page.getByRole('link', { name: post.title }).click();
  await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(post.title);
  await expect(page).toHaveTitle(`${post.title} · Quire`);
  await expect(page.getByRole('heading', { level: 2, name: 'Section' })).toBeVisible();
});

test('a demo post renders its Markdown', async ({ page }) => {
  await page.goto('/posts/why-sqlite-is-enough-for-your-blog');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Why SQLite is enough for your blog');
  await expect(page.locator('.prose blockquote')).toHaveText(/best database/);
  await expect(page.locator('.prose ul > li')).toHaveCount(3);
});

// The demo content has ten published posts; the fixture's post makes eleven, so there is a second page.
test('the home page paginates with older posts', async ({ page, post }) => {
  await page.goto('/');
  await expect(page.getByRole('link', { name: post.title })).toBeVisible();
  await page.getByRole('link', { name: 'Older posts' }).click();
  await expect(page).toHaveURL(/\?cursor=/);
  await expect(page.locator('.post-list > li').first()).toBeVisible();
  await expect(page.getByRole('link', { name: post.title })).toHaveCount(0);
  await page.getByRole('link', { name: 'Newest posts' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('demo comments are server-rendered with replies nested under their parent', async ({ page }) => {
  await page.goto('/posts/welcome-to-quire');
  const ada = page.locator('#comments > .comment-list > li').filter({ hasText: 'Is there a way to import posts' });
  await expect(ada.locator('> .comment-list > li')).toHaveCount(2);
  await expect(ada.locator('> .comment-list')).toContainText('export and import');
});

test('a reader posts a comment, sees it at once and still sees it after a reload', async ({ page, post, unique }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await expect(page.getByRole('heading', { name: 'Comments', level: 2 })).toBeVisible();
  await comments.write('Ada', `Great post, **really** ${unique}`);

  await expect(comments.notice).toHaveText('Thank you! Your comment is published.');
  const comment = comments.comment(unique);
  await expect(comment).toBeVisible();
  await expect(comment.locator('strong')).toHaveText('really');
  await expect(comment).toBeFocused();
  await expect(comments.body).toHaveValue('');
  await expect(comments.name).toHaveValue('Ada');
  await expect(page.getByRole('heading', { name: '1 comment', level: 2 })).toBeVisible();

  await page.reload();
  await expect(comments.comment(unique)).toBeVisible();
});

test('an empty comment shows the API’s error next to each field', async ({ page, post, api }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.body.fill('   ');
  await comments.submit.click();

  await expect(comments.name).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#comment-authorName-error')).toHaveText('Name is required.');
  await expect(page.locator('#comment-body-error')).toHaveText('Comment is required.');
  await expect(comments.name).toBeFocused();
  await expect(comments.body).toHaveAttribute('aria-describedby', /comment-body-error/);

  const stored = await (await api.get(`/api/posts/${post.slug}/comments`)).json();
  expect(stored.data).toEqual([]);

  // Fixing the fields clears the errors.
  await comments.write('Ada', 'Now with words');
  await expect(comments.comment('Now with words')).toBeVisible();
  await expect(page.locator('.field-error')).toHaveCount(0);
});

test('a reader replies to a comment and the reply is nested under it', async ({ page, post, api, unique }) => {
  const parent = await (
    await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: 'Grace', body: `Parent ${unique}` } })
  ).json();
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await page.getByRole('link', { name: 'Reply to Grace' }).click();
  await expect(page.getByRole('heading', { name: 'Reply to Grace' })).toBeVisible();
  await comments.write('Ada', `Reply ${unique}`);

  const parentItem = page.locator(`li:has(> #comment-${parent.id})`);
  await expect(parentItem.locator('> .comment-list')).toContainText(`Reply ${unique}`);
  await expect(page.getByRole('heading', { name: 'Leave a comment' })).toBeVisible();
});

test('Reply moves the form under the comment, keeping what was typed; Cancel reply moves it back', async ({ page, post, api, unique }) => {
  const grace = await (
    await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: 'Grace', body: `First ${unique}` } })
  ).json();
  const linus = await (
    await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: 'Linus', body: `Second ${unique}` } })
  ).json();
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.name.fill('Ada');
  await comments.email.fill('ada@example.org');
  await comments.body.fill(`Half-written ${unique}`);

  await comments.replyTo('Grace').click();
  await expect(comments.item(grace.id).locator('> #comment-form')).toBeVisible();
  await expect(comments.heading).toHaveText('Reply to Grace');
  await expect(comments.body).toBeFocused();
  await expect(comments.body).toHaveValue(`Half-written ${unique}`);
  await expect(comments.name).toHaveValue('Ada');
  await expect(comments.email).toHaveValue('ada@example.org');
  // Screen readers hear which comment is answered, in the form's name and the field's description.
  await expect(comments.form).toHaveAccessibleName('Reply to Grace');
  await expect(comments.body).toHaveAccessibleDescription(/Your reply will appear under Grace’s comment\./);
  await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}$`));

  // From the keyboard, to another comment: the form follows, the text stays.
  await comments.replyTo('Linus').press('Enter');
  await expect(comments.item(linus.id).locator('> #comment-form')).toBeVisible();
  await expect(comments.item(grace.id).locator('> #comment-form')).toHaveCount(0);
  await expect(comments.body).toBeFocused();
  await expect(comments.body).toHaveValue(`Half-written ${unique}`);

  await comments.cancelReply.click();
  await expect(page.locator('#comments > #comment-form')).toBeVisible();
  await expect(comments.heading).toHaveText('Leave a comment');
  await expect(comments.body).toHaveValue(`Half-written ${unique}`);
  await expect(comments.name).toHaveValue('Ada');
  await expect(comments.replyTo('Linus')).toBeFocused();
  await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}$`));

  // A reply sent from the moved form lands under its parent, and the form goes back to the end.
  await comments.replyTo('Grace').click();
  await comments.submit.click();
  await expect(comments.item(grace.id).locator('> .comment-list')).toContainText(`Half-written ${unique}`);
  await expect(comments.comment(`Half-written ${unique}`)).toBeFocused();
  await expect(page.locator('#comments > #comment-form')).toBeVisible();
  await expect(comments.heading).toHaveText('Leave a comment');
  await expect(comments.body).toHaveValue('');
  await expect(comments.name).toHaveValue('Ada');
});

test('on the respond page (Reply before the script loaded), Cancel reply works in place too', async ({ page, post, api, unique }) => {
  const grace = await (
    await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: 'Grace', body: `First ${unique}` } })
  ).json();
  await page.goto(`/posts/${post.slug}?replyTo=${grace.id}#comment-form`);
  const comments = await new CommentSection(page).enhanced();
  await expect(comments.heading).toHaveText('Reply to Grace');
  await comments.name.fill('Ada');
  await comments.body.fill(`Top level after all ${unique}`);
  await comments.cancelReply.click();
  await expect(comments.heading).toHaveText('Leave a comment');
  await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}$`));
  await expect(comments.body).toHaveValue(`Top level after all ${unique}`);
  await comments.submit.click();
  await expect(comments.thread.locator('> li > article')).toHaveText([
    new RegExp(`First ${unique}`),
    new RegExp(`Top level after all ${unique}`),
  ]);
});

test('the browser remembers a commenter’s name and email only when asked to', async ({ page, post, unique }) => {
  const stored = () => page.evaluate(() => JSON.stringify(localStorage));
  await page.goto(`/posts/${post.slug}`);
  let comments = await new CommentSection(page).enhanced();
  await expect(comments.remember).not.toBeChecked();
  await comments.email.fill('ada@example.org');
  await comments.write('Ada', `Not remembered ${unique}`);
  await expect(comments.comment(`Not remembered ${unique}`)).toBeVisible();
  expect(await stored()).not.toContain('ada@example.org');
  await page.reload();
  comments = await new CommentSection(page).enhanced();
  await expect(comments.name).toHaveValue('');

  await comments.email.fill('ada@example.org');
  await comments.remember.check();
  // Not a substring of the first comment's text ("Not remembered …"), which is already on the page.
  await comments.write('Ada', `Kept for next time ${unique}`);
  await expect(comments.comment(`Kept for next time ${unique}`)).toBeVisible();
  await page.reload();
  comments = await new CommentSection(page).enhanced();
  await expect(comments.name).toHaveValue('Ada');
  await expect(comments.email).toHaveValue('ada@example.org');
  await expect(comments.remember).toBeChecked();

  // Unchecking forgets at once.
  await comments.remember.uncheck();
  expect(await stored()).not.toContain('ada@example.org');
  await page.reload();
  comments = await new CommentSection(page).enhanced();
  await expect(comments.name).toHaveValue('');
  await expect(comments.remember).not.toBeChecked();
});

test('a reader’s own edit shows at once, in a full-width box, and stays on a page rendered before it', async ({ page, post, unique }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.write('Ada', `Original ${unique}`);
  await expect(comments.comment(`Original ${unique}`)).toBeFocused();
  const comment = page.locator(`#${await comments.comment(`Original ${unique}`).getAttribute('id')}`);
  const own = comments.own(comment);

  await own.edit.click();
  await expect(own.editBox).toBeFocused();
  await expect(own.editBox).toHaveValue(`Original ${unique}`);
  const [box, card] = [await own.editBox.boundingBox(), await comment.boundingBox()];
  expect(box!.width).toBeGreaterThan(card!.width * 0.9);

  await own.editBox.fill(`Edited *now* ${unique}`);
  await own.save.click();
  await expect(comment.locator('.comment-body')).toHaveText(`Edited now ${unique}`);
  await expect(comment.locator('.comment-body em')).toHaveText('now');
  await expect(comments.announcer).toHaveText('Your comment was updated.');
  await expect(own.edit).toBeFocused();

  // Back to the page from the browser's router cache, as it was before the edit: the edit stays.
  await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Tags' }).click();
  await expect(page).toHaveURL(/\/tags$/);
  await page.goBack();
  await expect(comment.locator('.comment-body')).toHaveText(`Edited now ${unique}`);
  await page.reload();
  await expect(comment.locator('.comment-body')).toHaveText(`Edited now ${unique}`);
});

test('a reader’s edit that is held for moderation says so in place', async ({ page, post, unique }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.write('Ada', `Plain ${unique}`);
  await expect(comments.comment(`Plain ${unique}`)).toBeFocused();
  const comment = page.locator(`#${await comments.comment(`Plain ${unique}`).getAttribute('id')}`);
  const own = comments.own(comment);

  // More links than the spam check allows send the edit to the queue.
  await own.edit.click();
  await own.editBox.fill(`Links ${unique}: https://a.example https://b.example https://c.example`);
  await own.save.click();
  await expect(comment.getByText('Your edit will appear once it is approved.')).toBeVisible();
  await expect(comments.announcer).toHaveText('Your edit will appear once it is approved.');
  await expect(comment).not.toContainText(`Plain ${unique}`);
  await expect(comment.getByRole('link', { name: /^Reply/ })).toHaveCount(0);

  // A fresh thread (refreshed after the next comment) leaves out comments awaiting approval; the
  // reader's own stays in its place, still marked.
  await comments.write('Ada', `Later ${unique}`);
  await expect(comments.comment(`Later ${unique}`)).toBeFocused();
  await expect(page.getByRole('heading', { name: '1 comment', level: 2 })).toBeVisible();
  await expect(comments.thread.locator('> li > article')).toHaveText([/Links/, new RegExp(`Later ${unique}`)]);
  await expect(comment.getByText('Your edit will appear once it is approved.')).toBeVisible();
  // After a reload too, for its writer alone (issue 24, item 9).
  await page.reload();
  await expect(comment).toContainText(`Links ${unique}`);
  await expect(comment).toContainText('Awaiting moderation');
  await expect(comment.getByRole('link', { name: /^Reply/ })).toHaveCount(0);
});

test('a reader deletes their own comment and it leaves the page at once', async ({ page, post, unique }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.write('Ada', `Doomed ${unique}`);
  await expect(comments.comment(`Doomed ${unique}`)).toBeFocused();
  const id = await comments.comment(`Doomed ${unique}`).getAttribute('id');
  const own = comments.own(page.locator(`#${id}`));
  await own.edit.click();
  await own.editBox.fill(`Doomed and edited ${unique}`);
  await own.save.click();
  await expect(comments.comment(`Doomed and edited ${unique}`)).toBeVisible();

  page.once('dialog', (dialog) => dialog.accept());
  // The thread is refreshed after a delete; a page rendered before it must not bring the comment back.
  const refreshed = page.waitForResponse((response) => response.url().includes(`/posts/${post.slug}?_rsc=`));
  await own.remove.click();
  await expect(page.locator(`#${id}`)).toHaveCount(0);
  await refreshed;
  await page.waitForTimeout(200);
  await expect(page.locator(`#${id}`)).toHaveCount(0);
  await expect(comments.announcer).toHaveText('Your comment was deleted.');
  await expect(page.locator('#comments-heading')).toBeFocused();
  await page.reload();
  await expect(page.locator(`#${id}`)).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Comments', level: 2 })).toBeVisible();
});

test('the comment form is usable with the keyboard alone', async ({ page, post, unique }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.name.focus();
  await page.keyboard.type('Keyboard user');
  await page.keyboard.press('Tab');
  await expect(comments.email).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(comments.body).toBeFocused();
  await page.keyboard.type(`Typed ${unique}`);
  await page.keyboard.press('Tab');
  await expect(comments.remember).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(comments.submit).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(comments.comment(unique)).toBeVisible();
});

test('a skip link leads keyboard users to the content', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('user content in a post and a comment is rendered inert', async ({ page, api, unique }) => {
  const attacks = '<script>window.__pwned = 1</script>\n\n<img src=x onerror="window.__pwned = 2">\n\n[click](javascript:window.__pwned=3)';
  const created = await (await api.post('/api/posts', { data: { title: `XSS ${unique}`, body: attacks, status: 'published' } })).json();
  await api.post(`/api/posts/${created.slug}/comments`, { data: { authorName: '<b>Mallory</b>', body: attacks } });
  await page.goto(`/posts/${created.slug}`);
  await expect(page.getByText('<b>Mallory</b>')).toBeVisible();
  // The javascript: link keeps its text, in the post and in the comment, and is no link at all.
  await expect(page.locator('main p', { hasText: /^click$/ })).toHaveCount(2);
  await expect(page.locator('main a', { hasText: 'click' })).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main script:not([type="application/ld+json"]), main [onerror], main a[href^="javascript:"]').count()).toBe(0);
  await api.delete(`/api/posts/${created.slug}`);
});
