import { z } from 'zod';
import { requireAdmin } from '@/lib/auth';
import { listCommentsForModeration } from '@/lib/comments';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { listQuerySchema } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

const querySchema = listQuerySchema.extend({
  status: z.enum(['pending', 'approved', 'spam'], { error: 'status must be pending, approved or spam.' }).default('pending'),
});

/** The moderation queue, newest first. */
export const GET = route((request) => {
  requireAdmin(request);
  return json(listCommentsForModeration(parseQuery(querySchema, request)));
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
