import { assertSameOrigin } from '@/lib/auth/authenticate';
import { AppError } from '@/lib/errors';
import { clientAddress, isFormPost, json, methodNotAllowed, parseBody, route, seeOther } from '@/lib/http';
import { setupSchema } from '@/lib/api/requests';
import { createSession, withSessionCookies } from '@/lib/auth/sessions';
import { completeSetup } from '@/lib/auth/setup';

export const dynamic = 'force-dynamic';

/**
 * First run: creates the first author with the setup token from the server log, and signs them
 * in. JSON gets 201; the no-JavaScript form gets a 303 to the admin area or back to the form.
 */
export const POST = route(async (request) => {
  assertSameOrigin(request);
  const fromForm = isFormPost(request);
  try {
    const { data } = await parseBody(setupSchema, request, { form: true });
    const user = await completeSetup(data, clientAddress(request));
    const { token } = createSession(user.id);
    return withSessionCookies(fromForm ? seeOther('/admin/posts') : json({ user }, { status: 201 }), request, token);
  } catch (error) {
    if (fromForm && error instanceof AppError && error.status < 500) {
      const fields = error.errors?.map((e) => e.field).join(',') ?? '';
      return seeOther(`/admin/setup?${new URLSearchParams({ error: error.code, fields })}`);
    }
    throw error;
  }
});

const notAllowed = methodNotAllowed('POST');
export { notAllowed as OPTIONS, notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
