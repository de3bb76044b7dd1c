import { notFound } from '@/lib/errors';
import { methodNotAllowed, route, type RouteContext } from '@/lib/http';
import { ASSET_HEADERS, readAsset } from '@/lib/site/assets';

export const dynamic = 'force-dynamic';

/** The logo and icons. Each URL names its bytes' hash, so browsers may keep them for a year. */
export const GET = route(async (_request, { params }: RouteContext<{ file: string }>) => {
  const asset = await readAsset((await params).file);
  if (!asset) throw notFound('Image');
  return new Response(new Uint8Array(asset.data), {
    headers: { ...ASSET_HEADERS, 'Cache-Control': 'public, max-age=31536000, immutable' },
  });
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
