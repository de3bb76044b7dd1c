import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { PostView } from '@/components/post-view';
import { requireAuthor } from '@/lib/auth/current-user';
import { getPostBySlugForAuthor } from '@/lib/content/posts';
import { isSlug } from '@/lib/slug';
import { postPath, previewPath } from '@/lib/site/paths';

type Props = { params: Promise<{ slug: string }> };

/*
 * A draft or scheduled post as readers will see it, for its signed-in author only. Reading the
 * session makes the page dynamic: Next sends it `private, no-store`, so no cache keeps it.
 */
export const metadata: Metadata = { title: 'Preview', robots: { index: false, follow: false } };

export default async function PreviewPage({ params }: Props) {
  const { slug } = await params;
  await requireAuthor(previewPath(slug));
  const post = isSlug(slug) ? await getPostBySlugForAuthor(slug) : undefined;
  if (!post) notFound();
  // A live post has its real page.
  if (post.status === 'published') redirect(postPath(post.slug));
  return (
    <PostView
      preview={{ status: post.status }}
      data={{
        post: { ...post, publishedAt: post.publishedAt ?? post.updatedAt },
        comments: [],
      }}
    />
  );
}
