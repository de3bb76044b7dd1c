import type { Metadata } from 'next';
import { PostEditor } from '@/components/admin/post-editor';
import { requireAuthor } from '@/lib/auth/current-user';
import { siteTimeZone } from '@/lib/site/identity';
import { POST_BODY_MAX_BYTES } from '@/lib/content/schemas';

export const metadata: Metadata = { title: 'New post', description: 'Write a new post.' };

export default async function NewPostPage() {
  await requireAuthor('/admin/posts/new');
  return <PostEditor timeZone={await siteTimeZone()} maxBodyBytes={POST_BODY_MAX_BYTES} />;
}
