import 'server-only';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import satori, { type Font } from 'satori';
import sharp from 'sharp';

/*
 * The Open Graph picture of a post, drawn by satori (what next/og wraps) with fonts Quire ships and
 * turned into a PNG by sharp. next/og's ImageResponse fetched every glyph its font lacked from
 * Google Fonts while rendering: a request to the outside any reader could trigger with a non-Latin
 * site name or title, and a failure offline. Here nothing is ever fetched: text in a script the
 * shipped fonts do not cover is drawn with the font's blank glyph.
 */

export const OG_IMAGE_SIZE = { width: 1200, height: 630 } as const;

/**
 * Noto Sans from @fontsource/noto-sans (SIL OFL), regular and bold: Latin with its extensions,
 * Vietnamese, Cyrillic, Greek and Devanagari, about 450 KB in all. CJK, Arabic, Hebrew and Thai
 * are left out: the Japanese package alone is 79 MB.
 */
const SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'devanagari'];
const WEIGHTS = [400, 700] as const;
const FONT_DIR = path.join(process.cwd(), 'node_modules', '@fontsource', 'noto-sans', 'files');

let fonts: Promise<Font[]> | undefined;
/** Read once per process; satori parses each font once too (it keeps them by their buffer). */
const loadFonts = () =>
  (fonts ??= Promise.all(
    WEIGHTS.flatMap((weight) =>
      SUBSETS.map(async (subset) => ({
        // One name per subset: satori picks one font per name and weight, and tries the others in turn.
        name: `Noto Sans ${subset}`,
        data: await readFile(path.join(FONT_DIR, `noto-sans-${subset}-${weight}-normal.woff`)),
        weight,
        style: 'normal' as const,
      })),
    ),
  ).catch((error: unknown) => {
    fonts = undefined;
    throw error;
  }));

export interface PostImage {
  siteName: string;
  title: string;
  date: string;
}

export interface RenderOptions {
  /** Told about text no shipped font covers (satori's language guess and the text), for tests. */
  onMissingGlyphs?: (language: string, text: string) => void;
}

/** The PNG for a post. */
export async function renderPostImage({ siteName, title, date }: PostImage, { onMissingGlyphs }: RenderOptions = {}): Promise<Buffer> {
  const svg = await satori(
    <div
      style={{
        width: '100%',
        height: '100%',
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        padding: '72px 80px',
        // Satori's layout engine sizes boxes without their padding unless told otherwise.
        boxSizing: 'border-box',
        background: '#121417',
        color: '#e6e8eb',
        fontFamily: 'Noto Sans latin',
      }}
    >
      <div style={{ fontSize: 36, color: '#8ab4f8', fontWeight: 700 }}>{siteName}</div>
      <div style={{ fontSize: title.length > 60 ? 60 : 76, fontWeight: 700, lineHeight: 1.15 }}>{title}</div>
      <div style={{ fontSize: 30, color: '#a9b1bb' }}>{date}</div>
    </div>,
    {
      ...OG_IMAGE_SIZE,
      fonts: await loadFonts(),
      // Satori asks for glyphs (and emoji) the fonts lack; the answer is always "none", never a download.
      loadAdditionalAsset: async (language, text) => {
        onMissingGlyphs?.(language, text);
        return [];
      },
    },
  );
  return sharp(Buffer.from(svg)).png().toBuffer();
}
