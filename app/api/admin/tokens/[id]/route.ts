import { revokeApiToken } from '@/lib/auth/api-tokens';
import { requireSession } from '@/lib/auth/authenticate';
import { methodNotAllowed, noContent, parseId, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** Revokes a token: scripts using it get 401 from the next request on. */
export const DELETE = route<{ id: string }>(async (request, { params }) => {
  requireSession(request);
  revokeApiToken(parseId((await params).id, 'Token'));
  return noContent();
});

const notAllowed = methodNotAllowed('DELETE');
export { notAllowed as OPTIONS, notAllowed as GET, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH };
