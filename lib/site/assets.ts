import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import sharp, { type ResizeOptions } from 'sharp';
import { getDb, preparedQuery, transaction } from '@/db';
import { type SiteAssetName, siteAssets } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { AppError } from '@/lib/errors';
import type { SiteImage } from '@/lib/site/schemas';

/** Uploads larger than this are refused before they are decoded. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** What an author uploads: a logo, or the square icon every favicon is made from. */
export const UPLOADS = ['logo', 'icon'] as const;
export type UploadKind = (typeof UPLOADS)[number];

/** Every image is stored re-encoded as PNG (see render). */
const STORED_TYPE = 'image/png';

export const assetPath = (name: SiteAssetName, hash: string) => `/site-assets/${name}-${hash}.png`;

const invalidImage = (detail: string) => new AppError('validation', detail, { errors: [{ field: 'file', message: detail }] });

/**
 * Re-encodes an upload as PNG with sharp: whatever was uploaded (JPEG, PNG, WebP, GIF, AVIF, SVG),
 * what is stored and served is a fresh raster image, so no script, metadata or oversized original
 * survives. A logo keeps its shape within 480 × 96 px (twice its largest size on screen); an icon
 * is fitted into a square and stored at the two sizes browsers ask for.
 */
async function render(kind: UploadKind, input: Buffer): Promise<{ name: SiteAssetName; data: Buffer; width: number; height: number }[]> {
  // Caps the decoded size, so a small file that unpacks to a huge bitmap is refused, not rendered.
  const image = () => sharp(input, { limitInputPixels: 40_000_000, failOn: 'error', animated: false });
  let meta;
  try {
    meta = await image().metadata();
  } catch {
    throw invalidImage('The file is not an image Quire can read. Upload a PNG, JPEG, WebP, GIF, AVIF or SVG file.');
  }
  if (!meta.width || !meta.height) throw invalidImage('The image has no size.');
  const variants: [SiteAssetName, ResizeOptions][] =
    kind === 'logo'
      ? [['logo', { width: 480, height: 96, fit: 'inside', withoutEnlargement: true }]]
      : [
          ['favicon', { width: 32, height: 32, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } }],
          ['icon', { width: 180, height: 180, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } }],
        ];
  try {
    return await Promise.all(
      variants.map(async ([name, resize]) => {
        const { data, info } = await image().rotate().resize(resize).png({ compressionLevel: 9 }).toBuffer({ resolveWithObject: true });
        return { name, data, width: info.width, height: info.height };
      }),
    );
  } catch {
    throw invalidImage('The image could not be processed. It may be damaged or too large (at most 40 megapixels).');
  }
}

const NAMES: Record<UploadKind, SiteAssetName[]> = { logo: ['logo'], icon: ['favicon', 'icon'] };

/** Stores an uploaded logo or icon, replacing the previous one, and expires every page that shows it. */
export async function saveUpload(kind: UploadKind, input: Buffer): Promise<SiteImage> {
  const rendered = await render(kind, input);
  const updatedAt = new Date().toISOString();
  await transaction(async (tx) => {
    for (const { name, data, width, height } of rendered) {
      const row = {
        contentType: STORED_TYPE,
        data,
        width,
        height,
        hash: createHash('sha256').update(data).digest('base64url').slice(0, 16),
        updatedAt,
      };
      await tx
        .insert(siteAssets)
        .values({ name, ...row })
        .onConflictDoUpdate({ target: siteAssets.name, set: row });
    }
  });
  expire(cacheTags.content);
  return (await getAssetInfos())[NAMES[kind].at(-1)!]!;
}

export async function removeUpload(kind: UploadKind): Promise<void> {
  await transaction(async (tx) => {
    await tx.delete(siteAssets).where(inArray(siteAssets.name, NAMES[kind]));
  });
  expire(cacheTags.content);
}

const currentAssets = preparedQuery((db) =>
  db.select({ name: siteAssets.name, hash: siteAssets.hash, width: siteAssets.width, height: siteAssets.height }).from(siteAssets),
);

/** Where each current image is served (null: none uploaded), in one query and without their bytes. */
export async function getAssetInfos(): Promise<Record<SiteAssetName, SiteImage | null>> {
  const infos: Record<SiteAssetName, SiteImage | null> = { logo: null, icon: null, favicon: null };
  const rows = await currentAssets({});
  for (const { name, hash, ...size } of rows) infos[name] = { url: assetPath(name, hash), ...size, contentType: STORED_TYPE };
  return infos;
}

/** The bytes behind an asset URL, or undefined when the name is unknown or the image has changed since. */
export async function readAsset(file: string): Promise<{ data: Buffer; contentType: string } | undefined> {
  const match = /^(logo|favicon|icon)-([\w-]{16})\.png$/.exec(file);
  if (!match) return undefined;
  const asset = await readCurrentAsset(match[1] as SiteAssetName);
  return asset?.hash === match[2] ? asset : undefined;
}

export async function readCurrentAsset(name: SiteAssetName): Promise<{ data: Buffer; contentType: string; hash: string } | undefined> {
  const [asset] = await getDb()
    .select({ data: siteAssets.data, hash: siteAssets.hash, contentType: siteAssets.contentType })
    .from(siteAssets)
    .where(eq(siteAssets.name, name))
    .limit(1);
  return asset;
}
