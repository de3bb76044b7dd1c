import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PostList } from '@/components/post-list';
import { getSiteIdentity } from '@/lib/site/identity';
import { AppError } from '@/lib/errors';
import { loadPostList } from '@/lib/pages/page-data';
import { alternates } from '@/lib/content/seo';

const PAGE_SIZE = 10;
/** The cursor segment of the newest page. */
const LATEST = 'latest';

type Props = { params: Promise<{ cursor: string }> };

/*
 * The home page and its older pages. next.config.mjs rewrites `/` here as /archive/latest and
 * `/?cursor=…` as /archive/{cursor}, so each page is an ordinary cached page with a path of its
 * own: rendered on the first visit (never at build time) and kept until a post or a comment
 * changes what it lists, or a minute passes.
 */
export const revalidate = 60; // = CACHE_SECONDS in lib/cache.ts; Next needs a literal here.
export const generateStaticParams = (): { cursor: string }[] => [];

const publicPath = (cursor: string) => (cursor === LATEST ? '/' : `/?cursor=${encodeURIComponent(cursor)}`);

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cursor } = await params;
  const { name, description } = await getSiteIdentity();
  return {
    title: { absolute: cursor === LATEST ? name : `Older posts · ${name}` },
    description,
    alternates: alternates(publicPath(cursor)),
    openGraph: { title: name, description, url: '/' },
  };
}

export default async function HomePage({ params }: Props) {
  const { cursor } = await params;
  const { name, description } = await getSiteIdentity();
  let page;
  try {
    page = await loadPostList({ limit: PAGE_SIZE, cursor: cursor === LATEST ? undefined : cursor });
  } catch (error) {
    // A hand-edited or stale cursor names no page.
    if (error instanceof AppError) notFound();
    throw error;
  }

  return (
    <>
      <header className="page-header">
        <h1>{name}</h1>
        <p className="lede">{description}</p>
      </header>
      <PostList posts={page.data} />
      {(cursor !== LATEST || page.nextCursor) && (
        <nav className="pagination" aria-label="More posts">
          {cursor !== LATEST ? <Link href="/">← Newest posts</Link> : <span />}
          {page.nextCursor && (
            <Link href={publicPath(page.nextCursor)} rel="next">
              Older posts →
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
