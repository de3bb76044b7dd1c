import type { Locator, Page } from '@playwright/test';
import sharp from 'sharp';
import { expect, test } from './fixtures';
import { startOwnBlog } from './own-blog';
import { killAllServers, removeTempDatabases, SERVER_ADMIN_TOKEN, type ServerProcess } from './server-process';

/*
 * A blog dressed as authors dress it: the widest logo the Site page allows and four links in the
 * header, and the uploads that put them there, on a blog of its own (e2e/own-blog.ts).
 */

const AUTHOR = { name: 'Lin Writer', email: 'lin@example.com', password: 'correct horse battery staple' };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const LINKS = [
  { label: 'Posts', href: '/' },
  { label: 'Tags', href: '/tags' },
  { label: 'About me', href: '/posts/welcome-to-quire' },
  { label: 'Projects', href: 'https://example.com/projects' },
];
let server: ServerProcess;
let signIn: (page: Page) => Promise<void>;

test.beforeAll(async () => {
  ({ server, signIn } = await startOwnBlog(AUTHOR));
  const navigation = await fetch(`${server.url}/api/admin/site`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${SERVER_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ navigation: LINKS }),
  });
  expect(navigation.status).toBe(200);
  const logo = await fetch(`${server.url}/api/admin/site/logo`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${SERVER_ADMIN_TOKEN}`, 'Content-Type': 'image/png' },
    body: await widestLogo(),
  });
  expect(logo.status).toBe(200);
});

test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

/** The widest logo the header shows (240 × 48 px, stored at twice the density). */
const widestLogo = () =>
  sharp({ create: { width: 480, height: 96, channels: 3, background: '#0b57d0' } })
    .png()
    .toBuffer();

/** The Site page's group for one image: its file input, preview, Remove button and what the last upload did. */
const imageField = (page: Page, label: 'Logo' | 'Icon') =>
  page.locator('.image-field').filter({ has: page.getByLabel(label, { exact: true }) });

test('an upload says beside its control that it is saved and live, not beside “Save site settings”', async ({ page }) => {
  await signIn(page);
  await page.goto(`${server.url}/admin/site`);
  await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await widestLogo() });
  await expect(imageField(page, 'Logo').getByRole('status')).toHaveText(/^Logo saved/);
  const icon = await sharp({ create: { width: 256, height: 256, channels: 4, background: '#b00020' } })
    .png()
    .toBuffer();
  await page.getByLabel('Icon', { exact: true }).setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: icon });
  const iconStatus = imageField(page, 'Icon').getByRole('status');
  await expect(iconStatus).toHaveText(/^Icon saved.*browser tabs/);
  // Nothing near the form's Save button suggests the upload is waiting for it.
  await expect(page.locator('.form-actions')).not.toContainText(/logo|icon/i);
  // The section says uploads need no Save, and the status sits by the file input, not across the page.
  await expect(page.getByRole('region', { name: 'Logo and icon' })).toContainText('takes effect at once');
  const input = (await page.getByLabel('Icon', { exact: true }).boundingBox())!;
  const status = (await iconStatus.boundingBox())!;
  expect(Math.abs(status.y - (input.y + input.height)), 'the status is just below the file input').toBeLessThan(16);

  // A failed upload leaves no "saved" claim behind.
  await page
    .getByLabel('Icon', { exact: true })
    .setInputFiles({ name: 'notes.txt', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await expect(page.locator('#icon-file-error')).toContainText('not an image');
  await expect(iconStatus).toHaveText('');
});

/** The vertical middle of a box. */
const middle = (box: { y: number; height: number }) => box.y + box.height / 2;

async function boxOf(locator: Locator) {
  const box = await locator.boundingBox();
  expect(box, `${locator} is shown`).not.toBeNull();
  return box!;
}

test('with a logo and four links, the header is one row on a desktop and fits a phone', async ({ page }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize(DESKTOP);
    await page.goto(`${server.url}/`);
    const banner = page.getByRole('banner');
    const logo = await boxOf(banner.getByRole('link', { name: 'Quire' }).getByRole('img'));
    expect(logo.width).toBeCloseTo(240, 0);
    const links = await Promise.all(LINKS.map(({ label }) => boxOf(banner.getByRole('link', { name: label, exact: true }))));
    const search = await boxOf(banner.getByRole('searchbox', { name: 'Search posts' }));
    const button = await boxOf(banner.getByRole('button', { name: 'Search' }));
    // One row: links and search are centred on the logo's middle, in order from left to right.
    for (const [index, box] of [...links, search, button].entries()) {
      expect(Math.abs(middle(box) - middle(logo)), `item ${index} on the logo's row`).toBeLessThanOrEqual(2);
    }
    expect(links[0]!.x).toBeGreaterThan(logo.x + logo.width);
    for (let i = 1; i < links.length; i++) expect(links[i]!.x).toBeGreaterThan(links[i - 1]!.x + links[i - 1]!.width);
    expect(search.x).toBeGreaterThan(links.at(-1)!.x + links.at(-1)!.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESKTOP.width);

    await page.setViewportSize(PHONE);
    await page.goto(`${server.url}/`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const items = [
      banner.getByRole('link', { name: 'Quire' }),
      ...LINKS.map(({ label }) => banner.getByRole('link', { name: label, exact: true })),
    ];
    for (const item of [...items, banner.getByRole('search')]) {
      const box = await boxOf(item);
      expect(box.x, `${item} inside the page`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${item} inside the page`).toBeLessThanOrEqual(PHONE.width);
    }
    // The links share rows below the logo, top-aligned with each other, and the search fills a row of its own below them.
    const phoneLogo = await boxOf(items[0]!);
    const phoneLinks = await Promise.all(items.slice(1).map(boxOf));
    for (const box of phoneLinks) expect(box.y).toBeGreaterThanOrEqual(phoneLogo.y + phoneLogo.height - 1);
    expect(Math.abs(middle(phoneLinks[0]!) - middle(phoneLinks[1]!))).toBeLessThanOrEqual(2);
    const phoneSearch = await boxOf(banner.getByRole('search'));
    expect(phoneSearch.y).toBeGreaterThanOrEqual(Math.max(...phoneLinks.map((box) => box.y + box.height)));
  }
});
