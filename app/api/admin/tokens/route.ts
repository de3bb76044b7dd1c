import { createApiToken, listApiTokens } from '@/lib/auth/api-tokens';
import { requireSession } from '@/lib/auth/authenticate';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { apiTokenCreateSchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

export const GET = route((request) => {
  requireSession(request);
  return json({ data: listApiTokens() });
});

/** The token is in this response and nowhere else, ever. */
export const POST = route(async (request) => {
  const user = requireSession(request);
  const { data } = await parseBody(apiTokenCreateSchema, request);
  const created = createApiToken(user.id, data.name, { expiresInDays: data.expiresInDays });
  return json(created, { status: 201, headers: { Location: `/api/admin/tokens/${created.id}` } });
});

const notAllowed = methodNotAllowed('GET', 'POST');
export { notAllowed as OPTIONS, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
