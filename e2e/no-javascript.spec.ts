import { CommentSection } from './comment-form.po';
import { AUTHOR, expect, test } from './fixtures';

test.use({ javaScriptEnabled: false });

test('without JavaScript the form posts and lands on the new comment', async ({ page, post, unique }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = new CommentSection(page);
  await comments.write('No Script', `Plain form ${unique}`);

  await expect(page).toHaveURL(new RegExp(`/posts/${post.slug}#comment-\\d+$`));
  const comment = comments.comment(unique);
  await expect(comment).toBeVisible();
  const anchor = new URL(page.url()).hash.slice(1);
  await expect(comment).toHaveAttribute('id', anchor);

  await page.reload();
  await expect(comments.comment(unique)).toBeVisible();
});

test('without JavaScript invalid fields come back with messages', async ({ page, post }) => {
  await page.goto(`/posts/${post.slug}`);
  const comments = new CommentSection(page);
  // Whitespace passes the browser's `required` check but not the server's.
  await comments.write('   ', '   ');
  await expect(page).toHaveURL(/\?invalid=authorName%2Cbody#comment-form$/);
  await expect(page.locator('#comment-authorName-error')).toHaveText('Enter your name (up to 80 characters).');
  await expect(page.locator('#comment-body-error')).toHaveText('Write a comment (up to 5,000 characters).');
  await expect(comments.name).toHaveAttribute('aria-invalid', 'true');
});

test('without JavaScript a reply lands nested under its parent', async ({ page, post, api, unique }) => {
  const parent = await (await api.post(`/api/posts/${post.slug}/comments`, { data: { authorName: 'Grace', body: 'Parent' } })).json();
  await page.goto(`/posts/${post.slug}`);
  await page.getByRole('link', { name: 'Reply to Grace' }).click();
  await expect(page).toHaveURL(new RegExp(`\\?replyTo=${parent.id}#comment-form$`));
  const comments = new CommentSection(page);
  await comments.write('No Script', `Nested ${unique}`);
  await expect(page.locator(`li:has(> #comment-${parent.id}) > .comment-list`)).toContainText(`Nested ${unique}`);
});

test('without JavaScript the author can sign in, and a wrong password says so', async ({ page }) => {
  await page.goto('/admin/settings');
  await page.getByLabel('Email').fill(AUTHOR.email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in\?error=unauthorized&next=%2Fadmin%2Fsettings$/);
  await expect(page.getByRole('alert').filter({ hasText: 'The email or password is not right.' })).toBeVisible();
  await page.getByLabel('Email').fill(AUTHOR.email);
  await page.getByLabel('Password').fill(AUTHOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
});
