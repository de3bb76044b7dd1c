import { authenticate } from '@/lib/auth/authenticate';
import { checkCommentRate, listApprovedComments, submitComment } from '@/lib/comments/comments';
import { readCookie, serializeCookie } from '@/lib/http/cookies';
import { AppError, notFound } from '@/lib/errors';
import { tags } from '@/lib/cache';
import { cachedJson, clientAddress, isFormPost, json, methodNotAllowed, parseBody, parseQuery, route, seeOther } from '@/lib/http';
import { COMMENTER_COOKIE, EDIT_COOKIE } from '@/lib/comments/moderation';
import { listQuerySchema } from '@/lib/pagination';
import { commentCreateSchema } from '@/lib/api/requests';
import { commentAnchor, postPath } from '@/lib/site/paths';
import { isSlug } from '@/lib/slug';

export const dynamic = 'force-dynamic';

type Params = { slug: string };

export const GET = route<Params>(async (request, { params }) => {
  const { slug } = await params;
  const query = parseQuery(listQuerySchema, request);
  if (!isSlug(slug)) throw notFound('Post');
  return cachedJson(request, { key: ['comments', slug, query.limit, query.cursor ?? null], tags: [tags.post(slug)] }, () =>
    listApprovedComments(slug, query),
  );
});

/**
 * JSON clients get 201 and the comment. A plain HTML form (no JavaScript) gets a 303 back to
 * the post: to the new comment, to a "held for moderation" notice, or to the form with the
 * invalid fields named in the query. A signed-in author's comment is published as the author's.
 */
export const POST = route<Params>(async (request, { params }) => {
  const { slug } = await params;
  // Checked before anything else: the slug goes into every redirect below.
  if (!isSlug(slug)) throw notFound('Post');
  const fromForm = isFormPost(request);
  const principal = authenticate(request);
  if (!principal) checkCommentRate(clientAddress(request));
  try {
    const { data } = await parseBody(commentCreateSchema, request, { form: true });
    const { comment, editGrants, commenter } = await submitComment(slug, data, {
      author: principal && principal.kind !== 'bootstrap' ? principal.user : undefined,
      editCookie: readCookie(request, EDIT_COOKIE),
      commenterCookie: readCookie(request, COMMENTER_COOKIE),
    });
    const headers = new Headers();
    if (editGrants) headers.append('Set-Cookie', serializeCookie(request, EDIT_COOKIE, editGrants.value, editGrants.maxAgeSeconds));
    if (commenter) headers.append('Set-Cookie', serializeCookie(request, COMMENTER_COOKIE, commenter.value, commenter.maxAgeSeconds));
    if (fromForm) {
      const page = postPath(slug);
      return seeOther(comment.status === 'approved' ? `${page}#${commentAnchor(comment.id)}` : `${page}?held=1#comment-form`, headers);
    }
    headers.set('Location', `/api/comments/${comment.id}`);
    return json(comment, { status: 201, headers });
  } catch (error) {
    if (fromForm && error instanceof AppError && error.code === 'validation' && error.errors) {
      const invalid = [...new Set(error.errors.map((e) => e.field))].join(',');
      return seeOther(`${postPath(slug)}?${new URLSearchParams({ invalid })}#comment-form`);
    }
    throw error;
  }
});

const notAllowed = methodNotAllowed('GET', 'POST');
export { notAllowed as OPTIONS, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
