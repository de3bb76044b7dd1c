import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PostList } from '@/components/post-list';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { listPublishedPosts } from '@/lib/posts';
import { alternates } from '@/lib/seo';

const PAGE_SIZE = 10;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const { cursor } = await searchParams;
  const { SITE_NAME, SITE_DESCRIPTION } = getEnv();
  return {
    title: { absolute: typeof cursor === 'string' ? `Older posts · ${SITE_NAME}` : SITE_NAME },
    description: SITE_DESCRIPTION,
    alternates: alternates(typeof cursor === 'string' ? `/?cursor=${encodeURIComponent(cursor)}` : '/'),
    openGraph: { title: SITE_NAME, description: SITE_DESCRIPTION, url: '/' },
  };
}

export default async function HomePage({ searchParams }: Props) {
  const { cursor } = await searchParams;
  const { SITE_NAME, SITE_DESCRIPTION } = getEnv();
  let page;
  try {
    page = listPublishedPosts({ limit: PAGE_SIZE, cursor: typeof cursor === 'string' ? cursor : undefined });
  } catch (error) {
    // A hand-edited or stale cursor names no page.
    if (error instanceof AppError) notFound();
    throw error;
  }

  return (
    <>
      <header className="page-header">
        <h1>{SITE_NAME}</h1>
        <p className="lede">{SITE_DESCRIPTION}</p>
      </header>
      <PostList posts={page.data} />
      {(cursor || page.nextCursor) && (
        <nav className="pagination" aria-label="More posts">
          {cursor ? <Link href="/">← Newest posts</Link> : <span />}
          {page.nextCursor && (
            <Link href={`/?cursor=${encodeURIComponent(page.nextCursor)}`} rel="next">
              Older posts →
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
