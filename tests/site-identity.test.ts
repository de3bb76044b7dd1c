import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import * as faviconRoute from '@/app/favicon.ico/route';
import * as siteImageRoute from '@/app/api/admin/site/[image]/route';
import * as siteRoute from '@/app/api/admin/site/route';
import * as siteAssetRoute from '@/app/site-assets/[file]/route';
import { eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { sessions, settings, siteAssets, users } from '@/db/schema';
import { accentPalette, contrast } from '@/lib/site/colors';
import { getEnv } from '@/lib/env';
import { formatDateTime } from '@/lib/site/format';
import { fromZonedInput, toZonedInput } from '@/lib/site/zoned-input';
import { feedResponse } from '@/lib/content/feeds';
import { getSiteIdentity, serverTimeZone } from '@/lib/site/identity';
import { createUser } from '@/lib/auth/users';
import { ADMIN, call, clearTables, makePost, resetDatabase } from './helpers';

beforeEach(async () => {
  await resetDatabase();
  await clearTables(siteAssets, sessions, users);
});

const patch = (json: unknown) => call(siteRoute.PATCH, { method: 'PATCH', json, headers: ADMIN });
const upload = (image: string, body: BodyInit, contentType = 'image/png') =>
  call(siteImageRoute.PUT, { method: 'PUT', params: { image }, body, headers: { ...ADMIN, 'Content-Type': contentType } });
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 1 } } })
    .png()
    .toBuffer();

describe('site identity', () => {
  it('starts from the environment and built-in defaults', async () => {
    const env = getEnv();
    const response = await call(siteRoute.GET, { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      name: env.SITE_NAME,
      description: env.SITE_DESCRIPTION,
      authorName: env.SITE_AUTHOR ?? env.SITE_NAME,
      authorBio: '',
      timeZone: env.SITE_TIME_ZONE ?? serverTimeZone(),
      accentColor: null,
      navigation: [
        { label: 'Posts', href: '/' },
        { label: 'Tags', href: '/tags' },
      ],
      logo: null,
      icon: null,
      customised: [],
    });
  });

  it('the byline defaults to the first account’s name when SITE_AUTHOR is unset', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada Lovelace', password: 'a long enough password' });
    expect((await getSiteIdentity()).authorName).toBe(getEnv().SITE_AUTHOR ?? 'Ada Lovelace');
  });

  it('keeps both of two changes sent at once', async () => {
    const answers = await Promise.all([patch({ name: 'Both' }), patch({ authorBio: 'Kept too' }), patch({ accentColor: '#b00020' })]);
    expect(answers.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(await getSiteIdentity()).toMatchObject({ name: 'Both', authorBio: 'Kept too', accentColor: '#b00020' });
  });

  it('stores what the author sets, canonicalises it, and puts a field back to its default with null', async () => {
    const response = await patch({
      name: '  Field Notes ',
      authorName: 'Ada',
      authorBio: 'Writes about engines.',
      timeZone: 'europe/berlin',
      accentColor: '#B00020',
      navigation: [
        { label: 'About', href: '/posts/about' },
        { label: 'Mastodon', href: 'https://social.example/@ada' },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'Field Notes', timeZone: 'Europe/Berlin', accentColor: '#b00020' });
    expect((await getSiteIdentity()).customised.sort()).toEqual([
      'accentColor',
      'authorBio',
      'authorName',
      'name',
      'navigation',
      'timeZone',
    ]);

    await patch({ name: null, accentColor: null });
    const identity = await getSiteIdentity();
    expect(identity.name).toBe(getEnv().SITE_NAME);
    expect(identity.accentColor).toBeNull();
    expect(identity.authorName).toBe('Ada');
  });

  it.each([
    [{ accentColor: '#ffff00' }, 'accentColor', /too light/],
    [{ accentColor: 'red' }, 'accentColor', /#rrggbb/],
    [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone', /time zone/],
    [{ name: '   ' }, 'name', /needs a name/],
    [{ navigation: [{ label: 'x', href: 'javascript:alert(1)' }] }, 'navigation.0.href', /path on this site/],
    [{ navigation: [{ label: 'x', href: '//evil.example' }] }, 'navigation.0.href', /path on this site/],
    [{ navigation: [{ label: 'x', href: '/\tevil' }] }, 'navigation.0.href', /path on this site/],
    [{ navigation: [{ label: '', href: '/' }] }, 'navigation.0.label', /label/],
    [{ navigation: Array.from({ length: 9 }, () => ({ label: 'x', href: '/' })) }, 'navigation', /at most 8/],
    [{ logo: 'x' }, 'logo', /Unknown field/],
  ])('refuses %j with a problem naming %s', async (body, field, message) => {
    const response = await patch(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await response.json();
    expect(problem.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('a broken stored value falls back field by field', async () => {
    await patch({ name: 'Kept', authorBio: 'Also kept' });
    const [stored] = await getDb().select().from(settings).where(eq(settings.key, 'identity'));
    const broken = JSON.stringify({ ...(JSON.parse(stored!.value) as object), timeZone: 'Nowhere/Land' });
    await transaction((tx) => tx.update(settings).set({ value: broken }).where(eq(settings.key, 'identity')));
    expect(await getSiteIdentity()).toMatchObject({
      name: 'Kept',
      authorBio: 'Also kept',
      timeZone: getEnv().SITE_TIME_ZONE ?? serverTimeZone(),
    });
  });

  it('feeds carry the site name and the byline', async () => {
    await patch({ name: 'Field Notes', authorName: 'Ada' });
    await makePost({ title: 'In the feed' });
    const feed = JSON.parse(await (await feedResponse(new Request('https://blog.example.test/feed.json'), 'json')).text());
    expect(feed).toMatchObject({ title: 'Field Notes', author: { name: 'Ada' } });
  });
});

describe('logo and icon', () => {
  it('re-encodes an uploaded logo as a PNG within 480 × 96 px and serves it under its hash', async () => {
    const response = await upload('logo', await png(1200, 300), 'image/png');
    expect(response.status).toBe(200);
    const logo = await response.json();
    expect(logo).toMatchObject({
      width: 384,
      height: 96,
      contentType: 'image/png',
      url: expect.stringMatching(/^\/site-assets\/logo-[\w-]{16}\.png$/),
    });
    expect((await getSiteIdentity()).logo).toEqual(logo);

    const served = await call(siteAssetRoute.GET, { params: { file: logo.url.split('/').pop() } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).format).toBe('png');
    // An old or made-up hash is not the current image.
    expect((await call(siteAssetRoute.GET, { params: { file: 'logo-AAAAAAAAAAAAAAAA.png' } })).status).toBe(404);
    expect((await call(siteAssetRoute.GET, { params: { file: '../quire.db' } })).status).toBe(404);
  });

  it('makes a 32 px favicon and a 180 px home-screen icon from one square upload, and /favicon.ico serves it', async () => {
    const before = await call(faviconRoute.GET);
    expect(before.headers.get('content-type')).toBe('image/x-icon');

    expect((await upload('icon', await png(512, 512))).status).toBe(200);
    const { icon, favicon } = await getSiteIdentity();
    expect(icon).toMatchObject({ width: 180, height: 180 });
    expect(favicon).toMatchObject({ width: 32, height: 32 });
    const after = await call(faviconRoute.GET);
    expect(after.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await after.arrayBuffer())).metadata()).width).toBe(32);

    expect((await call(siteImageRoute.DELETE, { method: 'DELETE', params: { image: 'icon' }, headers: ADMIN })).status).toBe(204);
    expect(await getSiteIdentity()).toMatchObject({ icon: null, favicon: null });
    expect((await call(faviconRoute.GET)).headers.get('content-type')).toBe('image/x-icon');
  });

  it('rasterises an SVG: no script survives', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script><rect width="100" height="100" fill="#0b57d0"/></svg>';
    const response = await upload('logo', svg, 'image/svg+xml');
    expect(response.status).toBe(200);
    const { url } = await response.json();
    const served = Buffer.from(await (await call(siteAssetRoute.GET, { params: { file: url.split('/').pop() } })).arrayBuffer());
    expect(served.subarray(1, 4).toString()).toBe('PNG');
    expect(served.includes('script')).toBe(false);
  });

  it.each([
    ['bytes that are no image', () => Buffer.from('not an image at all'), 'image/png', 400],
    ['a body that is not an image type', async () => png(10, 10), 'text/plain', 415],
    ['more than 5 MiB', () => Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png', 413],
  ])('refuses %s', async (_name, make, type, status) => {
    const response = await upload('logo', await make(), type);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    if (status === 400) expect((await response.json()).errors[0].field).toBe('file');
    expect((await getSiteIdentity()).logo).toBeNull();
  });

  it('an unknown image name is 404, and only PUT and DELETE are allowed', async () => {
    expect((await upload('banner', await png(10, 10))).status).toBe(404);
    const response = await call(siteImageRoute.GET, { params: { image: 'logo' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('DELETE, OPTIONS, PUT');
  });
});

describe('time zones', () => {
  it('reads and writes datetime-local values in a given zone, across daylight saving time', () => {
    expect(fromZonedInput('2026-12-01T10:07', 'Europe/Berlin')).toBe('2026-12-01T09:07:00.000Z');
    expect(fromZonedInput('2026-07-01T10:07:30', 'Europe/Berlin')).toBe('2026-07-01T08:07:30.000Z');
    expect(fromZonedInput('2026-12-01T10:07', 'Asia/Kolkata')).toBe('2026-12-01T04:37:00.000Z');
    // 02:30 does not exist on the night clocks go forward: it becomes 03:30.
    expect(fromZonedInput('2026-03-29T02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    expect(fromZonedInput('2026-02-31T10:00', 'UTC')).toBeUndefined();
    expect(fromZonedInput('tomorrow', 'UTC')).toBeUndefined();
    expect(toZonedInput('2026-12-01T04:37:00.000Z', 'Asia/Kolkata')).toBe('2026-12-01T10:07:00');
  });

  it('names the zone beside every time it shows', () => {
    expect(formatDateTime('2026-12-01T04:37:00.000Z', 'Asia/Kolkata')).toBe('Dec 1, 2026, 10:07 AM GMT+5:30');
    expect(formatDateTime('2026-12-01T04:37:00.000Z', 'UTC')).toBe('Dec 1, 2026, 4:37 AM UTC');
  });
});

describe('accent colours', () => {
  it.each(['#0b57d0', '#b00020', '#006400', '#000000', '#6a1b9a'])('%s is lightened for dark mode to at least 7:1', (hex) => {
    const { light, dark } = accentPalette(hex);
    expect(light.accent).toBe(hex);
    expect(dark.accent).toMatch(/^#[0-9a-f]{6}$/);
    expect(contrast(dark.accent, '#1b1e23')).toBeGreaterThanOrEqual(7);
  });
});

describe('time zone names', () => {
  it('keeps a zone by the name it was given when Intl knows it only as an alias', async () => {
    const response = await patch({ timeZone: 'Asia/Kolkata' });
    expect((await response.json()).timeZone).toBe('Asia/Kolkata');
    expect(formatDateTime('2026-12-01T04:37:00.000Z', 'Asia/Kolkata')).toBe('Dec 1, 2026, 10:07 AM GMT+5:30');
  });
});
