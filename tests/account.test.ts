import { beforeEach, describe, expect, it } from 'vitest';
import * as passwordRoute from '@/app/api/account/password/route';
import * as sessionsRoute from '@/app/api/account/sessions/route';
import * as sessionRoute from '@/app/api/session/route';
import { eq } from 'drizzle-orm';
import { getDb } from '@/db';
import { apiTokens, rateLimits, sessions, users } from '@/db/schema';
import { createApiToken } from '@/lib/auth/api-tokens';
import { countSessions, startSessionIfPasswordIs } from '@/lib/auth/sessions';
import { SIGN_IN_BACKOFF, signInKeys } from '@/lib/auth/sign-in';
import { addressForLimits, clientAddress } from '@/lib/http';
import { reserveAttempt } from '@/lib/rate-limit';
import { createUser, verifyAccountByEmail } from '@/lib/auth/users';
import { changePassword } from '@/lib/auth/account';
import { call, clearTables, resetDatabase } from './helpers';

/*
 * The account: changing the password (which ends every other session) and signing out of the
 * other sessions, over the route handlers as a browser calls them.
 */

const SITE = 'https://blog.example.test';
const PASSWORD = 'a long enough password';
const NEW_PASSWORD = 'an even longer new password';

beforeEach(async () => {
  await resetDatabase();
  await clearTables(sessions, apiTokens, users);
});

/** Signs in over the API, as a browser would, and returns the Cookie header that carries the session. */
async function signIn(email = 'ada@example.com'): Promise<string> {
  const response = await call(sessionRoute.POST, { method: 'POST', json: { email, password: PASSWORD }, headers: { Origin: SITE } });
  expect(response.status).toBe(200);
  return sessionCookieOf(response);
}

const sessionCookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('quire_session='))!
    .split(';')[0]!;

/** 200 while the cookie's session is alive, 401 once it has ended. */
const sessionStatus = async (cookie: string) => (await call(sessionRoute.GET, { headers: { Cookie: cookie } })).status;

const changeWith = (cookie: string, json: unknown, headers: Record<string, string> = {}) =>
  call(passwordRoute.POST, { method: 'POST', json, headers: { Cookie: cookie, Origin: SITE, ...headers } });

const signInStatus = async (password: string) =>
  (
    await call(sessionRoute.POST, {
      method: 'POST',
      json: { email: 'ada@example.com', password },
      headers: { Origin: SITE },
    })
  ).status;

// Each password check runs scrypt on purpose: a dozen of them take seconds on a busy machine.
describe('changing the password', { timeout: 30_000 }, () => {
  it('takes the current password and the new one, ends every other session and rotates this one', async () => {
    const ada = await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    await createUser({ email: 'bob@example.com', name: 'Bob', password: PASSWORD });
    const here = await signIn();
    const elsewhere = await signIn();
    const bobs = await signIn('bob@example.com');
    const token = (await createApiToken(ada.id, 'deploy')).token;

    const response = await changeWith(here, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: { id: ada.id, email: 'ada@example.com', name: 'Ada' } });
    const rotated = sessionCookieOf(response);
    expect(rotated).not.toBe(here);

    expect(await sessionStatus(elsewhere)).toBe(401);
    // The session that made the change is replaced, so a copy of its old cookie is worth nothing either.
    expect(await sessionStatus(here)).toBe(401);
    expect(await sessionStatus(rotated)).toBe(200);
    expect(await countSessions(ada.id)).toBe(1);
    // Another author's sessions, and API tokens (managed on their own page), are not touched.
    expect(await sessionStatus(bobs)).toBe(200);
    expect((await call(sessionRoute.GET, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);

    expect(await signInStatus(PASSWORD)).toBe(401);
    expect(await signInStatus(NEW_PASSWORD)).toBe(200);
  });

  it('refuses a wrong current password naming the field, and counts it as a failed sign-in', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const here = await signIn();
    const wrong = await changeWith(here, { currentPassword: 'not my password', newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).errors).toEqual([{ field: 'currentPassword', message: 'The current password is not right.' }]);
    // It is the sign-in throttle's own counter for this account and address that went up.
    const pair = signInKeys('ada@example.com', clientAddress(new Request(SITE))).pair;
    const attempts = async () =>
      (await getDb().select({ count: rateLimits.count }).from(rateLimits).where(eq(rateLimits.key, pair)))[0]?.count;
    expect(await attempts()).toBe(1);

    // Failed attempts held back as a burst of them would be, an hour from now, so no clock can outrun the delay.
    const later = Date.now() + 3_600_000;
    while ((await reserveAttempt(pair, SIGN_IN_BACKOFF.pair, later)).allowed);
    // Then even the right password is not checked, here or at the sign-in form: one throttle for both.
    const held = await changeWith(here, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(3_000);
    expect(await signInStatus(PASSWORD)).toBe(429);
    expect(await verifyAccountByEmail('ada@example.com', PASSWORD)).toBeDefined();
    expect(await sessionStatus(here)).toBe(200);
  });

  it('validates the new password as setup does, and changes nothing when refused', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const here = await signIn();
    const elsewhere = await signIn();
    const fieldsOf = async (json: unknown) => {
      const response = await changeWith(here, json);
      expect(response.status).toBe(400);
      return ((await response.json()).errors as { field: string; message: string }[]).map((error) => error.field);
    };
    expect(await fieldsOf({ currentPassword: PASSWORD, newPassword: 'short' })).toEqual(['newPassword']);
    expect(await fieldsOf({ currentPassword: PASSWORD, newPassword: 'x'.repeat(1025) })).toEqual(['newPassword']);
    expect(await fieldsOf({ newPassword: NEW_PASSWORD })).toEqual(['currentPassword']);
    expect(await fieldsOf({ currentPassword: PASSWORD, newPassword: PASSWORD })).toEqual(['newPassword']);
    expect(await sessionStatus(elsewhere)).toBe(200);
    expect(await signInStatus(PASSWORD)).toBe(200);
  });

  it('works from a plain HTML form: a 303 back to the account page, with the error or the news', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const here = await signIn();
    const form = (fields: Record<string, string>) =>
      call(passwordRoute.POST, { method: 'POST', form: fields, headers: { Cookie: here, Origin: SITE } });
    const short = await form({ currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(303);
    expect(short.headers.get('location')).toBe('/admin/account?error=validation&fields=newPassword');
    const wrong = await form({ currentPassword: 'wrong', newPassword: NEW_PASSWORD });
    expect(wrong.headers.get('location')).toBe('/admin/account?error=validation&fields=currentPassword');
    const done = await form({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/account?passwordChanged=1');
    expect(await sessionStatus(sessionCookieOf(done))).toBe(200);
    expect(await sessionStatus(here)).toBe(401);
  });

  it('a sign-in checked against the old password starts no session once the password has changed', async () => {
    const ada = await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    // A sign-in with the old password, verified just before the change commits...
    const verified = (await verifyAccountByEmail('ada@example.com', PASSWORD))!;
    await changePassword(ada, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, addressForLimits('203.0.113.7'));
    // ...does not get its session after it: the change has already ended every session.
    expect(await startSessionIfPasswordIs(ada.id, verified.passwordHash)).toBeUndefined();
    expect(await countSessions(ada.id)).toBe(1);
  });

  it('needs a signed-in author at this site: 401 without credentials, 403 from another site or with a token', async () => {
    const ada = await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const here = await signIn();
    const body = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
    expect((await call(passwordRoute.POST, { method: 'POST', json: body, headers: { Origin: SITE } })).status).toBe(401);
    expect((await changeWith(here, body, { Origin: 'https://evil.example' })).status).toBe(403);
    const token = (await createApiToken(ada.id, 'script')).token;
    const withToken = await call(passwordRoute.POST, { method: 'POST', json: body, headers: { Authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(403);
    expect(await signInStatus(PASSWORD)).toBe(200);
  });
});

describe('signing out of the other sessions', { timeout: 30_000 }, () => {
  const signOutOthers = (cookie: string, headers: Record<string, string> = { Origin: SITE }) =>
    call(sessionsRoute.DELETE, { method: 'DELETE', headers: { Cookie: cookie, ...headers } });

  it('ends every other session of the author and keeps this one', async () => {
    const ada = await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    await createUser({ email: 'bob@example.com', name: 'Bob', password: PASSWORD });
    const here = await signIn();
    const phone = await signIn();
    const library = await signIn();
    const bobs = await signIn('bob@example.com');
    const token = (await createApiToken(ada.id, 'deploy')).token;

    const response = await signOutOthers(here);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ended: 2 });
    expect(await sessionStatus(phone)).toBe(401);
    expect(await sessionStatus(library)).toBe(401);
    expect(await sessionStatus(here)).toBe(200);
    expect(await sessionStatus(bobs)).toBe(200);
    expect((await call(sessionRoute.GET, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await (await signOutOthers(here)).json()).toEqual({ ended: 0 });
  });

  it('needs a signed-in author at this site: 401 without credentials, 403 from another site or with a token', async () => {
    const ada = await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const here = await signIn();
    const phone = await signIn();
    expect((await call(sessionsRoute.DELETE, { method: 'DELETE', headers: { Origin: SITE } })).status).toBe(401);
    expect((await signOutOthers(here, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await signOutOthers(here, {})).status).toBe(403);
    const token = (await createApiToken(ada.id, 'script')).token;
    expect((await call(sessionsRoute.DELETE, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })).status).toBe(403);
    expect(await sessionStatus(phone)).toBe(200);
  });
});
