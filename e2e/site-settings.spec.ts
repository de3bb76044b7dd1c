import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { expect, test } from './fixtures';
import { startOwnBlog } from './own-blog';
import { killAllServers, removeTempDatabases, SERVER_ADMIN_TOKEN, type ServerProcess } from './server-process';

/*
 * Site settings change what every page shows, so these tests run on a server and database of
 * their own: the other specs, running at the same time, keep seeing the blog they expect.
 */

const AUTHOR = { name: 'Grace Writer', email: 'grace@example.com', password: 'correct horse battery staple' };
let server: ServerProcess;
let signIn: (page: Page) => Promise<void>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  ({ server, signIn } = await startOwnBlog(AUTHOR, { SITE_TIME_ZONE: 'UTC' }));
});

test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { Authorization: `Bearer ${SERVER_ADMIN_TOKEN}`, ...init.headers } });

async function publish(title: string, extra: object = {}) {
  const response = await api('/api/posts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, body: 'Some text.', status: 'published', ...extra }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: number; slug: string; url: string };
}

test('out of the box the byline is the author’s account name and /favicon.ico is Quire’s icon', async ({ page }) => {
  const post = await publish('Default byline');
  await page.goto(`${server.url}/posts/${post.slug}`);
  await expect(page.locator('.byline')).toHaveText(`By ${AUTHOR.name}`);
  await expect(page.getByRole('contentinfo')).toContainText('Powered by Quire');
  await expect(page.getByRole('contentinfo')).not.toContainText('Quire · Powered by Quire');
  const favicon = await page.request.get(`${server.url}/favicon.ico`);
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toBe('image/x-icon');
  await expect(page.locator('link[rel="icon"][href="/icon.svg"]')).toHaveCount(1);
});

test('the author sets the name, description, byline, accent colour and navigation on the Site page', async ({ page }) => {
  const post = await publish('A post with a byline');
  await signIn(page);
  await page.goto(`${server.url}/admin/site`);
  await expect(page.getByRole('heading', { level: 1, name: 'Site' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Site' })).toHaveAttribute('aria-current', 'page');

  await page.getByLabel('Site name').fill('Field Notes');
  await page.getByLabel('Description').fill('Short notes from the field.');
  await page.getByLabel('Display name').fill('Grace');
  await page.getByLabel('Short bio').fill('Grace writes about compilers.');
  await page.getByLabel('Accent colour').fill('#b00020');
  await page.getByRole('button', { name: 'Add a link' }).click();
  await page.getByLabel('Link 3 label').fill('About');
  await page.getByLabel('Link 3 address').fill(`/posts/${post.slug}`);
  await page.getByRole('button', { name: 'Move link 3 up' }).click();
  await expect(page.getByLabel('Link 2 label')).toHaveValue('About');
  await page.getByRole('button', { name: 'Save site settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Site settings saved.' })).toBeVisible();

  // Every public page shows it at once: the settings expire the cache.
  await page.goto(`${server.url}/`);
  await expect(page).toHaveTitle('Field Notes');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Field Notes');
  await expect(page.locator('.lede')).toHaveText('Short notes from the field.');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Field Notes' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Site' }).getByRole('link');
  await expect(nav).toHaveText(['Posts', 'About', 'Tags']);
  await expect(page.getByRole('contentinfo')).toContainText('Field Notes · Powered by Quire');
  // The accent colour reaches links and buttons.
  const accent = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim());
  expect(accent).toBe('#b00020');

  await page.goto(`${server.url}/posts/${post.slug}`);
  await expect(page).toHaveTitle('A post with a byline · Field Notes');
  await expect(page.locator('.byline')).toHaveText('By Grace');
  await expect(page.locator('.author-bio')).toHaveText('Grace Grace writes about compilers.');
  const jsonLd = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
  expect(jsonLd[0].author).toEqual({ '@type': 'Person', name: 'Grace', description: 'Grace writes about compilers.' });
  expect(jsonLd[0].publisher.name).toBe('Field Notes');

  const rss = await (await fetch(`${server.url}/feed.xml`)).text();
  expect(rss).toContain('<title>Field Notes</title>');
  expect(rss).toContain('<dc:creator>Grace</dc:creator>');

  // In dark mode the accent is lightened so it still reads.
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim());
  expect(dark).not.toBe('#b00020');
});

test('a colour too light to read is refused with a message at the field', async ({ page }) => {
  await signIn(page);
  await page.goto(`${server.url}/admin/site`);
  await page.getByLabel('Accent colour').fill('#ffee00');
  await page.getByRole('button', { name: 'Save site settings' }).click();
  await expect(page.locator('#accentColor-error')).toContainText('too light');
  await expect(page.getByLabel('Accent colour')).toHaveAttribute('aria-invalid', 'true');
});

test('a logo and an icon are uploaded, shown, and removed', async ({ page }) => {
  await signIn(page);
  await page.goto(`${server.url}/admin/site`);
  const logo = await sharp({ create: { width: 800, height: 200, channels: 3, background: '#0b57d0' } })
    .png()
    .toBuffer();
  await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo });
  await expect(page.getByRole('status').filter({ hasText: 'Logo saved: ' })).toBeVisible();
  const icon = await sharp({ create: { width: 256, height: 256, channels: 4, background: '#b00020' } })
    .png()
    .toBuffer();
  await page.getByLabel('Icon', { exact: true }).setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: icon });
  await expect(page.getByRole('status').filter({ hasText: 'Icon saved: ' })).toBeVisible();
  await page
    .getByLabel('Icon', { exact: true })
    .setInputFiles({ name: 'notes.txt', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await expect(page.locator('#icon-file-error')).toContainText('not an image');

  await page.goto(`${server.url}/`);
  const image = page.getByRole('banner').getByRole('link').getByRole('img');
  await expect(image).toHaveAttribute('alt', 'Field Notes');
  expect(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(384);
  const iconHref = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(iconHref).toMatch(/^\/site-assets\/favicon-[\w-]{16}\.png$/);
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', /^\/site-assets\/icon-/);
  expect((await fetch(`${server.url}/favicon.ico`)).headers.get('content-type')).toBe('image/png');

  await page.goto(`${server.url}/admin/site`);
  await page.getByRole('button', { name: 'Remove logo' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Logo removed: ' })).toBeVisible();
  await page.goto(`${server.url}/`);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Field Notes' })).toHaveText('Field Notes');
});

test('times are shown in the site’s zone, and the editor schedules in it', async ({ page }) => {
  const post = await publish('Zoned', { publishedAt: '2026-06-01T04:37:00.000Z' });
  await signIn(page);
  await page.goto(`${server.url}/admin/site`);
  await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
  await page.getByRole('button', { name: 'Save site settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Site settings saved.' })).toBeVisible();

  await page.goto(`${server.url}/admin/posts?q=Zoned`);
  await expect(page.getByRole('row', { name: /Zoned/ })).toContainText('Jun 1, 2026, 1:37 PM GMT+9');

  await page.goto(`${server.url}/admin/posts/${post.id}`);
  await expect(page.getByLabel('Publish at (Asia/Tokyo time)')).toBeVisible();
  await page.getByLabel('Publish at (Asia/Tokyo time)').fill('2030-01-02T09:30:00');
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Scheduled for Jan 2, 2030, 9:30 AM GMT+9' })).toBeVisible();
  const stored = await (await api(`/api/admin/posts?q=Zoned`)).json();
  expect(stored.data[0].publishedAt).toBe('2030-01-02T00:30:00.000Z');

  // A comment's time on a public page is in the site's zone too, and says so.
  const live = await publish('Zoned comments');
  await api(`/api/posts/${live.slug}/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ authorName: 'Grace', body: 'A reply from the author.' }),
  });
  await page.goto(`${server.url}/posts/${live.slug}`);
  await expect(page.locator('.comment-permalink time').first()).toContainText('GMT+9');
});

test('the Site page fits a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto(`${server.url}/admin/site`);
  await expect(page.getByRole('heading', { level: 1, name: 'Site' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('a signed-in author gets an Edit link on the public post; readers do not', async ({ page, browser }) => {
  const post = await publish('Editable');
  const reader = await browser.newPage();
  await reader.goto(`${server.url}/posts/${post.slug}`);
  await expect(reader.getByRole('heading', { level: 1, name: 'Editable' })).toBeVisible();
  await expect(reader.getByRole('link', { name: /Edit post/ })).toHaveCount(0);
  await reader.close();

  await signIn(page);
  await page.goto(`${server.url}/posts/${post.slug}`);
  await page.getByRole('link', { name: 'Edit post “Editable”' }).click();
  await expect(page).toHaveURL(`${server.url}/admin/posts/${post.id}`);
  await expect(page.getByLabel('Title')).toHaveValue('Editable');

  // Signing out takes the link away.
  await page.request.delete(`${server.url}/api/session`, { headers: { Origin: server.url } });
  await page.goto(`${server.url}/posts/${post.slug}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Editable' })).toBeVisible();
  await expect(page.getByRole('link', { name: /Edit post/ })).toHaveCount(0);
});

test('a draft is previewed on the real site by its author only, never indexed or cached', async ({ page, browser }) => {
  const created = await api('/api/posts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Secret draft', body: 'Not *yet*.', status: 'draft' }),
  });
  const draft = (await created.json()) as { id: number; slug: string };

  expect((await fetch(`${server.url}/posts/${draft.slug}`)).status).toBe(404);
  const anonymous = await fetch(`${server.url}/posts/${draft.slug}/preview`, { redirect: 'manual' });
  expect(anonymous.status).toBe(307);
  expect(anonymous.headers.get('location')).toContain('/admin/sign-in?next=');

  await signIn(page);
  // The draft's own address is still a 404, which points its author at the preview.
  await page.goto(`${server.url}/posts/${draft.slug}`);
  await expect(page.getByRole('link', { name: 'preview it' })).toHaveAttribute('href', `/posts/${draft.slug}/preview`);
  await page.goto(`${server.url}/admin/posts/${draft.id}`);
  const [preview] = await Promise.all([page.waitForEvent('popup'), page.getByRole('link', { name: /Preview on the site/ }).click()]);
  await expect(preview).toHaveURL(`${server.url}/posts/${draft.slug}/preview`);
  await expect(preview.getByRole('heading', { level: 1, name: 'Secret draft' })).toBeVisible();
  await expect(preview.getByRole('note')).toContainText('This draft is not published');
  await expect(preview.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex, nofollow');
  const response = await preview.request.get(`${server.url}/posts/${draft.slug}/preview`);
  expect(response.status()).toBe(200);
  expect(response.headers()['x-robots-tag']).toBe('noindex, nofollow');
  expect(response.headers()['cache-control']).toMatch(/private|no-store/);
  expect(response.headers()['cache-control']).not.toContain('public');

  // Another browser without the session still gets nothing.
  const reader = await browser.newPage();
  await reader.goto(`${server.url}/posts/${draft.slug}/preview`);
  await expect(reader).toHaveURL(/\/admin\/sign-in/);
  await reader.close();

  // Once published, the preview leads to the real page.
  await api(`/api/posts/${draft.slug}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'published' }),
  });
  await page.goto(`${server.url}/posts/${draft.slug}/preview`);
  await expect(page).toHaveURL(`${server.url}/posts/${draft.slug}`);
});
