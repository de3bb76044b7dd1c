import { getApprovedComment } from '@/lib/comments';
import { notFound } from '@/lib/errors';
import { json, methodNotAllowed, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

export const GET = route<{ id: string }>(async (_request, { params }) => {
  const { id } = await params;
  // Ids are positive integers; anything else cannot name a comment.
  const comment = /^[1-9]\d{0,15}$/.test(id) ? getApprovedComment(Number(id)) : undefined;
  if (!comment) throw notFound('Comment');
  return json(comment);
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
