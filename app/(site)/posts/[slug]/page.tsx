import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PostView } from '@/components/post-view';
import { loadPostPage } from '@/lib/pages/page-data';
import { postMetadata } from '@/lib/content/seo';

type Props = { params: Promise<{ slug: string }> };

/*
 * Rendered on the first visit, then served from Next's cache until a write expires the post's
 * tag (a new comment, an edit) or a minute passes. Nothing is rendered at build time. The
 * no-JavaScript comment round trips, which carry a query string, are rewritten to ./respond.
 */
export const revalidate = 60; // = CACHE_SECONDS in lib/cache.ts; Next needs a literal here.
export const generateStaticParams = (): { slug: string }[] => [];

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const data = await loadPostPage((await params).slug);
  return data ? postMetadata(data.post) : {};
}

export default async function PostPage({ params }: Props) {
  const data = await loadPostPage((await params).slug);
  if (!data) notFound();
  return <PostView data={data} />;
}
