import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import OpenGraphImage from '@/app/(site)/posts/[slug]/opengraph-image';
import { renderPostImage } from '@/lib/content/og-image';
import { updateSiteIdentity } from '@/lib/site/identity';
import { makePost, resetDatabase } from './helpers';

/*
 * The Open Graph image of a post (app/(site)/posts/[slug]/opengraph-image.tsx): a 404 for a slug that
 * names no live post, before anything is drawn, and pictures drawn with the fonts Quire ships, never
 * with fonts fetched at render time (next/og fetched missing glyphs from the web on every render).
 */

const image = (slug: string) => OpenGraphImage({ params: Promise.resolve({ slug }) });

let fetches: string[];
beforeEach(async () => {
  await resetDatabase();
  fetches = [];
  // Offline, as a server may be: any outbound request fails, and is recorded.
  vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
    fetches.push(String(input instanceof Request ? input.url : input));
    return Promise.reject(new TypeError('fetch failed: no network in this test'));
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('the Open Graph image', () => {
  it('is a 404 for an unknown or impossible slug', async () => {
    for (const slug of ['no-such-post', 'Not a slug!', '../etc']) {
      const response = await image(slug);
      expect(response.status, slug).toBe(404);
      expect(response.headers.get('content-type')).not.toBe('image/png');
    }
    expect(fetches).toEqual([]);
  });

  it('draws a non-Latin site name and title offline, without a single outbound request', async () => {
    await updateSiteIdentity({ name: 'Дневник · Ημερολόγιο · Nhật ký · 日記 · 🎉' });
    const post = await makePost({ title: 'Привет, мир: καλημέρα, Việt Nam, नमस्ते, שלום' });
    const response = await image(post.slug);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await response.arrayBuffer());
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 1200, height: 630 });
    expect(fetches).toEqual([]);
    // The first picture of a process starts satori's WebAssembly and parses the fonts (about 0.6 s of CPU).
  }, 30_000);

  it('ships glyphs for Latin, Vietnamese, Cyrillic, Greek and Devanagari; other scripts are drawn blank, not fetched', async () => {
    const missing: string[] = [];
    const png = await renderPostImage(
      { siteName: 'Quire · Дневник · Ημερολόγιο', title: 'Ça va? Nhật ký, नमस्ते, Ünïcödé – “quotes” …', date: '7 December 2026' },
      { onMissingGlyphs: (_language, text) => missing.push(text) },
    );
    expect(missing).toEqual([]);
    await renderPostImage({ siteName: '日記', title: 'שלום 🎉', date: '' }, { onMissingGlyphs: (_language, text) => missing.push(text) });
    expect(missing.join('')).toMatch(/日記/);
    expect(fetches).toEqual([]);
    expect((await sharp(png).metadata()).width).toBe(1200);
  });
});
