import { requireAdmin } from '@/lib/auth/authenticate';
import { listCommentsForModeration } from '@/lib/comments/comments';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { moderationQuerySchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

/** The moderation queue, newest first. */
export const GET = route((request) => {
  requireAdmin(request);
  return json(listCommentsForModeration(parseQuery(moderationQuerySchema, request)));
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
