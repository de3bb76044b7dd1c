import { assertSameOrigin, requireAdmin } from '@/lib/auth/authenticate';
import { readCookie } from '@/lib/http/cookies';
import { AppError } from '@/lib/errors';
import { clientAddress, isFormPost, json, localPath, methodNotAllowed, noContent, parseBody, route, seeOther } from '@/lib/http';
import { signInSchema } from '@/lib/api/requests';
import { SESSION_COOKIE, deleteSession, withSessionCookies } from '@/lib/auth/sessions';
import { signIn } from '@/lib/auth/sign-in';

export const dynamic = 'force-dynamic';

/** Who is signed in. */
export const GET = route((request) => {
  const principal = requireAdmin(request);
  return json({ user: principal.kind === 'bootstrap' ? null : principal.user, via: principal.kind });
});

/** Signs in with email and password; JSON gets 200, the no-JavaScript form a 303 to where it was going. */
export const POST = route(async (request) => {
  assertSameOrigin(request);
  const fromForm = isFormPost(request);
  let next = '/admin';
  try {
    const { data } = await parseBody(signInSchema, request, { form: true });
    next = localPath(data.next, next);
    const { user, token } = await signIn(data.email, data.password, clientAddress(request));
    return withSessionCookies(fromForm ? seeOther(next) : json({ user }), request, token);
  } catch (error) {
    if (fromForm && error instanceof AppError && error.status < 500) {
      return seeOther(`/admin/sign-in?${new URLSearchParams({ error: error.code, next })}`);
    }
    throw error;
  }
});

/** Signs out: the session ends on the server, not just in the browser. */
export const DELETE = route((request) => {
  const token = readCookie(request, SESSION_COOKIE);
  if (token) {
    assertSameOrigin(request);
    deleteSession(token);
  }
  return withSessionCookies(noContent(), request, null);
});

const notAllowed = methodNotAllowed('GET', 'POST', 'DELETE');
export { notAllowed as OPTIONS, notAllowed as PUT, notAllowed as PATCH };
