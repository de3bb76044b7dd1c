import { getOwnCommentSources } from '@/lib/comments/comments';
import { readCookie } from '@/lib/http/cookies';
import { json, methodNotAllowed, route } from '@/lib/http';
import { EDIT_COOKIE, editableIds } from '@/lib/comments/moderation';

export const dynamic = 'force-dynamic';

/**
 * The reader's own comments that they may still change, with their Markdown, from the signed
 * edit cookie. Cached pages are the same for everyone; this is what makes them personal.
 */
export const GET = route((request) => {
  const sources = getOwnCommentSources(editableIds(readCookie(request, EDIT_COOKIE)));
  return json({ data: [...sources].map(([id, body]) => ({ id, body })) }, { headers: { 'Cache-Control': 'private, no-store' } });
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
