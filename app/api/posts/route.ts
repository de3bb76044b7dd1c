import { requireAdmin } from '@/lib/auth/authenticate';
import { cachedJson, json, methodNotAllowed, parseBody, parseQuery, route } from '@/lib/http';
import { createPost, listPublishedPosts } from '@/lib/content/posts';
import { postCreateSchema, postListQuerySchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

/** Published posts, newest first; `?tag=` keeps the posts of one tag. */
export const GET = route((request) => {
  const query = parseQuery(postListQuerySchema, request);
  return cachedJson(request, { key: ['posts', query.limit, query.cursor ?? null, query.tag ?? null], tags: [] }, () =>
    listPublishedPosts(query),
  );
});

export const POST = route(async (request) => {
  requireAdmin(request);
  const { data } = await parseBody(postCreateSchema, request);
  const post = await createPost(data);
  return json(post, { status: 201, headers: { Location: `/api/posts/${post.slug}` } });
});

const notAllowed = methodNotAllowed('GET', 'POST');
export { notAllowed as OPTIONS, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
