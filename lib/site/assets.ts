import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { ResizeOptions } from 'sharp';
import { getDb, preparedQuery, transaction } from '@/db';
import { type SiteAssetName, siteAssets } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { processImage } from '@/lib/media/images';
import type { SiteImage } from '@/lib/site/schemas';

/** Uploads larger than this are refused before they are decoded. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** What an author uploads: a logo, or the square icon every favicon is made from. */
export const UPLOADS = ['logo', 'icon'] as const;
export type UploadKind = (typeof UPLOADS)[number];

/** Every image is stored re-encoded as PNG (see render), and served as that type whatever a row says. */
export const STORED_TYPE = 'image/png';

export const assetPath = (name: SiteAssetName, hash: string) => `/site-assets/${name}-${hash}.png`;

/** Quire's own icon (public/), wherever the site's square icon is named before an author uploads one. */
export const DEFAULT_ICON: SiteImage = { url: '/apple-icon.png', width: 180, height: 180, contentType: STORED_TYPE };

const transparent = { r: 0, g: 0, b: 0, alpha: 0 };
/** A logo keeps its shape within 480 × 96 px (twice its largest size on screen); icons are fitted into squares. */
const VARIANTS: Record<SiteAssetName, ResizeOptions> = {
  logo: { width: 480, height: 96, fit: 'inside', withoutEnlargement: true },
  favicon: { width: 32, height: 32, fit: 'contain', background: transparent },
  icon: { width: 180, height: 180, fit: 'contain', background: transparent },
};

const NAMES: Record<UploadKind, SiteAssetName[]> = { logo: ['logo'], icon: ['favicon', 'icon'] };

/**
 * Re-encodes an image as PNG through lib/media/images.ts (bounded in pixels, time and memory, and
 * stopped when `signal` aborts): whatever came in (an upload, or an imported file), what is stored
 * and served is a fresh raster image, so no script, metadata or oversized original survives.
 */
async function render(names: SiteAssetName[], input: Uint8Array, options: { field?: string; signal?: AbortSignal } = {}) {
  const { outputs } = await processImage(
    input,
    names.map((name) => ({ name, resize: VARIANTS[name] })),
    options,
  );
  return outputs.map(({ name, data, width, height }) => ({ name: name as SiteAssetName, data: Buffer.from(data), width, height }));
}

/** A stored image's row: its bytes with the hash that names them in its URL. */
const assetRow = (data: Buffer, width: number, height: number, updatedAt: string) => ({
  contentType: STORED_TYPE,
  data,
  width,
  height,
  hash: createHash('sha256').update(data).digest('base64url').slice(0, 16),
  updatedAt,
});

/** An imported image, made again from its bytes as an upload would be; `field` names it in a refusal. */
export async function renderImportedAsset(name: SiteAssetName, data: Buffer, updatedAt: string, field: string) {
  const [image] = await render([name], data, { field });
  return { name, ...assetRow(image!.data, image!.width, image!.height, updatedAt) };
}

/** Stores an uploaded logo or icon, replacing the previous one, and expires every page that shows it. */
export async function saveUpload(kind: UploadKind, input: Buffer, signal?: AbortSignal): Promise<SiteImage> {
  const rendered = await render(NAMES[kind], input, { signal });
  const updatedAt = new Date().toISOString();
  await transaction(async (tx) => {
    for (const { name, data, width, height } of rendered) {
      const row = assetRow(data, width, height, updatedAt);
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
export async function readAsset(file: string): Promise<{ data: Buffer } | undefined> {
  const match = /^(logo|favicon|icon)-([\w-]{16})\.png$/.exec(file);
  if (!match) return undefined;
  const asset = await readCurrentAsset(match[1] as SiteAssetName);
  return asset?.hash === match[2] ? asset : undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A stored image's bytes, when they are a PNG: what Quire writes. A row that is not (written by an
 * import before imports re-encoded images) is never served, whatever its content type says.
 */
export async function readCurrentAsset(name: SiteAssetName): Promise<{ data: Buffer; hash: string } | undefined> {
  const [asset] = await getDb()
    .select({ data: siteAssets.data, hash: siteAssets.hash })
    .from(siteAssets)
    .where(eq(siteAssets.name, name))
    .limit(1);
  return asset && Buffer.from(asset.data).subarray(0, 8).equals(PNG_SIGNATURE) ? asset : undefined;
}

/** How a stored image is served: as the type Quire wrote, which browsers must not second-guess. */
export const ASSET_HEADERS = { 'Content-Type': STORED_TYPE, 'X-Content-Type-Options': 'nosniff' } as const;
