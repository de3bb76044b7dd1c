import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import { type FormState, PostView } from '@/components/post-view';
import { listOwnHeldComments } from '@/lib/comments/reads';
import { COMMENTER_COOKIE } from '@/lib/comments/reader-cookies';
import { loadPostPage } from '@/lib/pages/page-data';
import { postMetadata } from '@/lib/content/seo';

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/*
 * The post page as a comment posted without JavaScript comes back to it: replying to a comment,
 * naming invalid fields, or saying the comment awaits moderation (and showing it, to its writer
 * alone, where a script would: see OwnCommentsProvider). next.config.mjs rewrites
 * /posts/{slug}?replyTo=…|invalid=…|held=… here, so these per-visitor variants never enter the
 * cache of the post page itself.
 */
export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const data = await loadPostPage((await params).slug);
  return data ? { ...postMetadata(data.post), robots: { index: false } } : {};
}

export default async function PostResponsePage({ params, searchParams }: Props) {
  const data = await loadPostPage((await params).slug);
  if (!data) notFound();
  const query = await searchParams;
  const text = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
  const form: FormState = { replyTo: text(query.replyTo), invalid: text(query.invalid), held: text(query.held) };
  const held = form.held === '1' ? await listOwnHeldComments(data.post.slug, (await cookies()).get(COMMENTER_COOKIE)?.value) : [];
  return <PostView data={data} form={form} held={held} />;
}
