import { requireAdmin } from '@/lib/auth/authenticate';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { authorPostsQuerySchema } from '@/lib/api/requests';
import { listPostsForAuthor } from '@/lib/content/posts';

export const dynamic = 'force-dynamic';

/** Every post, drafts and scheduled ones included, most recently edited first; `status` keeps one kind, `q` searches their words. */
export const GET = route((request) => {
  requireAdmin(request);
  return json(listPostsForAuthor(parseQuery(authorPostsQuerySchema, request)));
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
