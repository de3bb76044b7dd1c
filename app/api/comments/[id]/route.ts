import { assertSameOrigin, authenticate } from '@/lib/auth/authenticate';
import {
  assertReaderMayChange,
  checkCommentEditRate,
  deleteComments,
  editOwnComment,
  getApprovedComment,
  updateComment,
} from '@/lib/comments/comments';
import { readCookie } from '@/lib/http/cookies';
import { AppError, notFound } from '@/lib/errors';
import { tags } from '@/lib/cache';
import { cachedJson, clientAddress, json, methodNotAllowed, noContent, parseBody, parseId, route } from '@/lib/http';
import { EDIT_COOKIE } from '@/lib/comments/moderation';
import { commentUpdateSchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

type Params = { id: string };

export const GET = route<Params>(async (request, { params }) => {
  const id = parseId((await params).id, 'Comment');
  return cachedJson(request, { key: ['comment', id], tags: [tags.comment(id)] }, () => {
    const comment = getApprovedComment(id);
    if (!comment) throw notFound('Comment');
    return comment;
  });
});

/** The blog's author changes status or text; a reader may change the text of their own comment for a while. */
export const PATCH = route<Params>(async (request, { params }) => {
  const id = parseId((await params).id, 'Comment');
  const principal = authenticate(request);
  if (!principal) {
    assertReaderMayChange(id, readCookie(request, EDIT_COOKIE));
    assertSameOrigin(request);
    checkCommentEditRate(clientAddress(request));
  }
  const { data } = await parseBody(commentUpdateSchema, request);
  if (principal) return json(await updateComment(id, data));
  if (data.status !== undefined) throw new AppError('forbidden', 'Only the author of the blog can moderate comments.');
  const { status, html, updatedAt } = await editOwnComment(id, data.body!);
  return json({ id, status, html, updatedAt });
});

export const DELETE = route<Params>(async (request, { params }) => {
  const id = parseId((await params).id, 'Comment');
  if (!authenticate(request)) {
    assertReaderMayChange(id, readCookie(request, EDIT_COOKIE));
    assertSameOrigin(request);
  }
  if (deleteComments([id]) === 0) throw notFound('Comment');
  return noContent();
});

const notAllowed = methodNotAllowed('GET', 'PATCH', 'DELETE');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT };
