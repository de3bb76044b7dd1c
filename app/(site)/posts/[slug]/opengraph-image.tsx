import { ImageResponse } from 'next/og';
import { getSiteIdentity } from '@/lib/site/identity';
import { formatDate } from '@/lib/site/format';
import { getPublishedPost } from '@/lib/content/posts';

export const alt = 'The post’s title and the blog’s name';
export const size = { width: 1200, height: 630 };
export const contentType = 'image/png';

/** The picture shared links show: the post's title and the blog's name, made on request. */
export default async function OpenGraphImage({ params }: { params: Promise<{ slug: string }> }) {
  const post = await getPublishedPost((await params).slug);
  const { name, timeZone } = await getSiteIdentity();
  return new ImageResponse(
    <div
      style={{
        width: '100%',
        height: '100%',
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        padding: '72px 80px',
        background: '#121417',
        color: '#e6e8eb',
      }}
    >
      <div style={{ fontSize: 36, color: '#8ab4f8', fontWeight: 700 }}>{name}</div>
      <div style={{ fontSize: post && post.title.length > 60 ? 60 : 76, fontWeight: 700, lineHeight: 1.15 }}>
        {post?.title ?? 'Post not found'}
      </div>
      <div style={{ fontSize: 30, color: '#a9b1bb' }}>{post ? formatDate(post.publishedAt, timeZone) : ''}</div>
    </div>,
    size,
  );
}
