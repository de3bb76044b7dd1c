import { createComment, listApprovedComments } from '@/lib/comments';
import { AppError } from '@/lib/errors';
import { isFormPost, json, methodNotAllowed, parseBody, parseQuery, route, seeOther } from '@/lib/http';
import { listQuerySchema } from '@/lib/pagination';
import { commentCreateSchema } from '@/lib/schemas';
import { commentAnchor, postPath } from '@/lib/site';

export const dynamic = 'force-dynamic';

type Params = { slug: string };

export const GET = route<Params>(async (request, { params }) =>
  json(listApprovedComments((await params).slug, parseQuery(listQuerySchema, request))),
);

/**
 * JSON clients get 201 and the comment. A plain HTML form (no JavaScript) gets a 303 back to
 * the post: to the new comment, or to the form with the invalid fields named in the query.
 */
export const POST = route<Params>(async (request, { params }) => {
  const { slug } = await params;
  const fromForm = isFormPost(request);
  try {
    const { data } = await parseBody(commentCreateSchema, request, { form: true });
    const comment = createComment(slug, data);
    if (fromForm) return seeOther(`${postPath(slug)}#${commentAnchor(comment.id)}`);
    return json(comment, { status: 201, headers: { Location: `/api/comments/${comment.id}` } });
  } catch (error) {
    if (fromForm && error instanceof AppError && error.code === 'validation' && error.errors) {
      const invalid = [...new Set(error.errors.map((e) => e.field))].join(',');
      return seeOther(`${postPath(slug)}?${new URLSearchParams({ invalid })}#comment-form`);
    }
    throw error;
  }
});

const notAllowed = methodNotAllowed('GET', 'POST');
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
