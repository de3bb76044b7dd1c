import { requireAdmin } from '@/lib/auth/authenticate';
import { moderateComments } from '@/lib/comments/comments';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { bulkModerationSchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

/** One moderation action on up to 100 comments at once, in one transaction; the answer says how to undo it. */
export const POST = route(async (request) => {
  requireAdmin(request);
  const { data } = await parseBody(bulkModerationSchema, request);
  return json({ action: data.action, ...moderateComments(data.action, data.ids) });
});

const notAllowed = methodNotAllowed('POST');
export { notAllowed as OPTIONS, notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
