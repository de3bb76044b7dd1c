import { assertSameOrigin } from '@/lib/auth';
import { serializeCookie } from '@/lib/cookies';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { setupSchema } from '@/lib/schemas';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, createSession } from '@/lib/sessions';
import { completeSetup } from '@/lib/setup';

export const dynamic = 'force-dynamic';

/** First run: creates the first author with the setup token from the server log, and signs them in. */
export const POST = route(async (request) => {
  assertSameOrigin(request);
  const { data } = await parseBody(setupSchema, request);
  const user = await completeSetup(data);
  const { token } = createSession(user.id);
  return json({ user }, { status: 201, headers: { 'Set-Cookie': serializeCookie(request, SESSION_COOKIE, token, SESSION_TTL_SECONDS) } });
});

const notAllowed = methodNotAllowed('POST');
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
