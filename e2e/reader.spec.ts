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

  await expect(page.getByRole('status')).toHaveText('Thank you! Your comment is published.');
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
  // The javascript: link keeps its text but loses its href, in the post and in the comment.
  await expect(page.locator('main a:not([href])', { hasText: 'click' })).toHaveCount(2);
  await expect(page.locator('main a[href]', { hasText: 'click' })).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main script:not([type="application/ld+json"]), main [onerror], main a[href^="javascript:"]').count()).toBe(0);
  await api.delete(`/api/posts/${created.slug}`);
});
