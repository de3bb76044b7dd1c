import { requireAdmin } from '@/lib/auth/authenticate';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { slugCheckQuerySchema } from '@/lib/api/requests';
import { postExists } from '@/lib/content/posts';

export const dynamic = 'force-dynamic';

/** Whether a slug is free, for the editor to say so before saving. */
export const GET = route((request) => {
  requireAdmin(request);
  const { slug, exceptId } = parseQuery(slugCheckQuerySchema, request);
  return json({ slug, available: !postExists(slug, exceptId) });
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
