import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PostEditor } from '@/components/admin/post-editor';
import { requireAuthor } from '@/lib/auth/current-user';
import { siteTimeZone } from '@/lib/site/identity';
import { POST_BODY_MAX_BYTES } from '@/lib/content/schemas';
import { getPostById } from '@/lib/content/posts';

export const metadata: Metadata = { title: 'Edit post', description: 'Edit, publish or schedule a post.' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditPostPage({ params, searchParams }: Props) {
  const { id } = await params;
  await requireAuthor(`/admin/posts/${id}`);
  const post = /^[1-9]\d{0,15}$/.test(id) ? await getPostById(Number(id)) : undefined;
  if (!post) notFound();
  return (
    <PostEditor
      post={post}
      timeZone={await siteTimeZone()}
      maxBodyBytes={POST_BODY_MAX_BYTES}
      justCreated={(await searchParams).created === '1'}
    />
  );
}
