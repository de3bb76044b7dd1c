import { endpoint } from '@/lib/api/endpoint';
import { idOf } from '@/lib/api/endpoints/params';
import { WRITE_PROBLEMS, problems } from '@/lib/api/problems';
import {
  apiTokenCreateSchema,
  apiTokenListSchema,
  createdApiTokenSchema,
  passwordChangeSchema,
  sessionSchema,
  sessionsEndedSchema,
  setupSchema,
  signedInSchema,
  signInSchema,
} from '@/lib/auth/schemas';
import { createApiToken, listApiTokens, revokeApiToken } from '@/lib/auth/api-tokens';
import { assertSameOrigin } from '@/lib/auth/authenticate';
import { changePassword } from '@/lib/auth/account';
import { SESSION_COOKIE, createSession, deleteSession, endOtherSessions, withSessionCookies } from '@/lib/auth/sessions';
import { completeSetup } from '@/lib/auth/setup';
import { signIn } from '@/lib/auth/sign-in';
import { clientAddress, json, localPath, noContent, seeOther } from '@/lib/http';
import { readCookie } from '@/lib/http/cookies';

/* Signing in and out, the first run, the author's account, and API tokens. */

const AFTER_SIGN_IN = '/admin';

export const sessionEndpoint = endpoint('/api/session')
  .get({
    summary: 'Who is signed in',
    access: 'author',
    responses: { 200: { description: 'The principal', schema: sessionSchema }, ...problems(401) },
    handler: ({ caller }) => json({ user: caller.kind === 'bootstrap' ? null : caller.user, via: caller.kind }),
  })
  .post({
    summary: 'Sign in',
    description:
      'Sets the HttpOnly session cookie. Failed attempts are throttled per account and per address. The no-JavaScript form gets a 303 to where it was going, or back to the sign-in page naming the error.',
    access: 'public',
    sameOrigin: true,
    body: signInSchema,
    form: ({ error, body }) => `/admin/sign-in?${new URLSearchParams({ error: error.code, next: localPath(body?.next, AFTER_SIGN_IN) })}`,
    responses: {
      200: { description: 'Signed in', schema: signedInSchema, headers: ['Set-Cookie'] },
      ...problems(400, 401, 403, 415, 429),
    },
    handler: async ({ request, body, fromForm }) => {
      const data = await body();
      const { user, token } = await signIn(data.email, data.password, clientAddress(request));
      return withSessionCookies(fromForm ? seeOther(localPath(data.next, AFTER_SIGN_IN)) : json({ user }), request, token);
    },
  })
  .delete({
    summary: 'Sign out',
    access: 'public',
    responses: { 204: { description: 'Signed out; the session ends on the server' }, ...problems(403) },
    handler: async ({ request }) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (token) {
        assertSameOrigin(request);
        await deleteSession(token);
      }
      return withSessionCookies(noContent(), request, null);
    },
  });

export const setupEndpoint = endpoint('/api/setup').post({
  summary: 'Create the first author (first run only)',
  description:
    'With the setup token from the server log; signs the new author in. The no-JavaScript form gets a 303 to the admin area, or back to the form naming the error and the fields.',
  access: 'public',
  sameOrigin: true,
  body: setupSchema,
  form: ({ error }) =>
    `/admin/setup?${new URLSearchParams({ error: error.code, fields: error.errors?.map((e) => e.field).join(',') ?? '' })}`,
  responses: { 201: { description: 'Created and signed in', schema: signedInSchema }, ...problems(400, 403, 409, 415) },
  handler: async ({ request, body, fromForm }) => {
    const user = await completeSetup(await body(), clientAddress(request));
    const { token } = await createSession(user.id);
    return withSessionCookies(fromForm ? seeOther('/admin/posts') : json({ user }, { status: 201 }), request, token);
  },
});

const ACCOUNT_PAGE = '/admin/account';

export const passwordEndpoint = endpoint('/api/account/password').post({
  summary: 'Change the password',
  description:
    'Takes the current password (checked and throttled as a sign-in is) and the new one (at least 12 characters). Ends every session of the author and starts a new one for this browser (a new cookie); API tokens stay. The no-JavaScript form gets a 303 back to the account page, with the news or the error and the fields.',
  access: 'session',
  body: passwordChangeSchema,
  form: ({ error }) =>
    `${ACCOUNT_PAGE}?${new URLSearchParams({ error: error.code, fields: error.errors?.map((e) => e.field).join(',') ?? '' })}`,
  responses: {
    200: { description: 'Changed; signed in afresh here, signed out everywhere else', schema: signedInSchema, headers: ['Set-Cookie'] },
    ...problems(...WRITE_PROBLEMS, 429),
  },
  handler: async ({ request, body, caller, fromForm }) => {
    const { token } = await changePassword(caller, await body(), clientAddress(request));
    return withSessionCookies(fromForm ? seeOther(`${ACCOUNT_PAGE}?passwordChanged=1`) : json({ user: caller }), request, token);
  },
});

export const accountSessionsEndpoint = endpoint('/api/account/sessions').delete({
  summary: 'Sign out of all other sessions',
  description:
    "Ends every session of the signed-in author except this browser's, wherever they signed in. To end this one too, sign out (`DELETE /api/session`). API tokens are not sessions and stay.",
  access: 'session',
  responses: { 200: { description: 'How many other sessions ended', schema: sessionsEndedSchema }, ...problems(401, 403) },
  handler: async ({ request, caller }) => json({ ended: await endOtherSessions(caller.id, readCookie(request, SESSION_COOKIE)!) }),
});

export const tokensEndpoint = endpoint('/api/admin/tokens')
  .get({
    summary: 'List API tokens',
    access: 'session',
    responses: { 200: { description: 'Tokens (never the secret)', schema: apiTokenListSchema }, ...problems(401, 403) },
    handler: async () => json({ data: await listApiTokens() }),
  })
  .post({
    summary: 'Create an API token',
    description: 'The token is in this answer and nowhere else, ever.',
    access: 'session',
    body: apiTokenCreateSchema,
    responses: { 201: { description: 'The token, shown this once', schema: createdApiTokenSchema }, ...problems(...WRITE_PROBLEMS) },
    handler: async ({ body, caller }) => {
      const data = await body();
      const created = await createApiToken(caller.id, data.name, { expiresInDays: data.expiresInDays });
      return json(created, { status: 201, headers: { Location: `/api/admin/tokens/${created.id}` } });
    },
  });

export const tokenEndpoint = endpoint('/api/admin/tokens/{id}', { id: idOf('Token') }).delete({
  summary: 'Revoke an API token',
  description: 'Scripts using it get 401 from the next request on.',
  access: 'session',
  responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
  handler: async ({ params }) => {
    await revokeApiToken(params.id);
    return noContent();
  },
});
