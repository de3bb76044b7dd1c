import { requireAdmin } from '@/lib/auth/authenticate';
import { notFound } from '@/lib/errors';
import { tags } from '@/lib/cache';
import { cachedJson, json, methodNotAllowed, noContent, parseBody, route } from '@/lib/http';
import { deletePost, getPublishedPost, updatePost } from '@/lib/content/posts';
import { isSlug } from '@/lib/slug';
import { postUpdateSchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

type Params = { slug: string };

export const GET = route<Params>(async (request, { params }) => {
  const { slug } = await params;
  if (!isSlug(slug)) throw notFound('Post');
  return cachedJson(request, { key: ['post', slug], tags: [tags.post(slug)] }, () => {
    const post = getPublishedPost(slug);
    if (!post) throw notFound('Post');
    return post;
  });
});

export const PATCH = route<Params>(async (request, { params }) => {
  requireAdmin(request);
  const { data } = await parseBody(postUpdateSchema, request);
  return json(await updatePost((await params).slug, data));
});

export const DELETE = route<Params>(async (request, { params }) => {
  requireAdmin(request);
  deletePost((await params).slug);
  return noContent();
});

const notAllowed = methodNotAllowed('GET', 'PATCH', 'DELETE');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT };
