import { loadPostPage } from '@/lib/pages/page-data';
import { OG_IMAGE_SIZE, renderPostImage } from '@/lib/content/og-image';
import { formatDate } from '@/lib/site/format';
import { getSiteIdentity } from '@/lib/site/identity';

export const alt = 'The post’s title and the blog’s name';
export const size = OG_IMAGE_SIZE;
export const contentType = 'image/png';

/**
 * The picture shared links show: the post's title and the blog's name, made on request. An
 * unknown slug is a 404 from the cached lookup the post's page uses, before anything is drawn.
 */
export default async function OpenGraphImage({ params }: { params: Promise<{ slug: string }> }) {
  const data = await loadPostPage((await params).slug);
  if (!data) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const { name, timeZone } = await getSiteIdentity();
  const png = await renderPostImage({ siteName: name, title: data.post.title, date: formatDate(data.post.publishedAt, timeZone) });
  return new Response(new Uint8Array(png), {
    headers: {
      'Content-Type': 'image/png',
      // A title can be edited: an hour, not the year next/og promised with `immutable`.
      'Cache-Control': 'public, max-age=3600, no-transform',
    },
  });
}
