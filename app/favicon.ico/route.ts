import fs from 'node:fs';
import path from 'node:path';
import { methodNotAllowed, route } from '@/lib/http';
import { ASSET_HEADERS, readCurrentAsset } from '@/lib/site/assets';

export const dynamic = 'force-dynamic';

let quireIcon: Buffer | undefined;

/**
 * Browsers and feed readers that ignore the page's <link rel="icon"> ask for /favicon.ico: they get
 * the icon uploaded in Site settings (a PNG, which they all accept under this name), or Quire's.
 */
export const GET = route(async () => {
  const custom = await readCurrentAsset('favicon');
  const headers = { 'Cache-Control': 'public, max-age=3600' };
  if (custom) return new Response(new Uint8Array(custom.data), { headers: { ...headers, ...ASSET_HEADERS } });
  quireIcon ??= fs.readFileSync(path.join(process.cwd(), 'public', 'default-favicon.ico'));
  return new Response(new Uint8Array(quireIcon), {
    headers: { ...headers, 'Content-Type': 'image/x-icon', 'X-Content-Type-Options': 'nosniff' },
  });
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
