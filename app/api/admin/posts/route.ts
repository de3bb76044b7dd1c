import { z } from 'zod';
import { requireAdmin } from '@/lib/auth';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { listQuerySchema } from '@/lib/pagination';
import { listPostsForAuthor } from '@/lib/posts';

export const dynamic = 'force-dynamic';

const querySchema = listQuerySchema.extend({ q: z.string().max(200, 'q must be at most 200 characters.').optional() });

/** Every post, drafts and scheduled ones included, most recently edited first; `q` searches titles. */
export const GET = route((request) => {
  requireAdmin(request);
  return json(listPostsForAuthor(parseQuery(querySchema, request)));
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
