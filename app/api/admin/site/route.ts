import { requireAdmin } from '@/lib/auth/authenticate';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { getSiteIdentity, identityPatchSchema, updateSiteIdentity } from '@/lib/site/identity';

export const dynamic = 'force-dynamic';

/** The blog's name, description, byline, time zone, accent colour, navigation and images. */
export const GET = route((request) => {
  requireAdmin(request);
  return json(getSiteIdentity());
});

export const PATCH = route(async (request) => {
  requireAdmin(request);
  const { data } = await parseBody(identityPatchSchema, request);
  return json(updateSiteIdentity(data));
});

const notAllowed = methodNotAllowed('GET', 'PATCH');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as DELETE };
