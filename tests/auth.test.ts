import { beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { apiTokens, sessions, users } from '@/db/schema';
import { createApiToken, listApiTokens, revokeApiToken } from '@/lib/auth/api-tokens';
import { assertSameOrigin, authenticate, requireAdmin } from '@/lib/auth/authenticate';
import { AppError } from '@/lib/errors';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { clear, hit, refundAttempt, reserveAttempt } from '@/lib/rate-limit';
import { SESSION_TTL_SECONDS, createSession, deleteSession, getSessionUser } from '@/lib/auth/sessions';
import { SIGN_IN_BACKOFF, signIn, signInKeys } from '@/lib/auth/sign-in';
import { completeSetup, isSetupPending, prepareSetup } from '@/lib/auth/setup';
import { createUser } from '@/lib/auth/users';
import { type LimitAddress, addressForLimits } from '@/lib/http/client-address';
import { clearTables, resetDatabase } from './helpers';

const SITE = 'https://blog.example.test';

beforeEach(async () => {
  await resetDatabase();
  await clearTables(sessions, apiTokens, users);
});

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not-an-app-error';
  }
  return undefined;
}

describe('password hashing', () => {
  it('hashes with scrypt and a per-user salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
  });
});

describe('sessions', () => {
  it('store only a hash of the token and expire', async () => {
    const user = await createUser({ email: 'Ada@Example.com', name: 'Ada', password: 'a long enough password' });
    expect(user.email).toBe('ada@example.com');
    const now = Date.now();
    const { token } = await createSession(user.id, now);
    const [stored] = await getDb().select({ id: sessions.id }).from(sessions);
    expect(stored!.id).not.toContain(token);
    expect(await getSessionUser(token, now)).toEqual(user);
    expect(await getSessionUser(token, now + SESSION_TTL_SECONDS * 1000 + 1)).toBeUndefined();
    expect(await getSessionUser('forged', now)).toBeUndefined();
    await deleteSession(token);
    expect(await getSessionUser(token, now)).toBeUndefined();
  });
});

// Each attempt hashes with scrypt on purpose: dozens of them take seconds on a busy machine.
describe('sign-in', { timeout: 30_000 }, () => {
  it('signs in with the right password, case-insensitively by email', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    const { user, token } = await signIn('ADA@example.com ', 'a long enough password', addressForLimits('10.0.0.1'));
    expect(user.name).toBe('Ada');
    expect((await getSessionUser(token))?.email).toBe('ada@example.com');
  });

  const PASSWORD = 'a long enough password';
  const attempt = (password: string, address: string, email = 'ada@example.com') =>
    signIn(email, password, addressForLimits(address)).then(
      () => 'signed-in',
      (error: AppError) => error.code,
    );

  it('counts guesses sent at once before checking them: at most the free attempts are verified', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const wrong = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`wrong ${i}`, '203.0.113.9')));
    expect(wrong.filter((code) => code === 'unauthorized')).toHaveLength(SIGN_IN_BACKOFF.pair.free);
    expect(wrong.filter((code) => code === 'too_many_requests')).toHaveLength(20 - SIGN_IN_BACKOFF.pair.free);

    // Thirty guesses at once with the right one last: it is never even checked.
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 29 ? PASSWORD : `guess ${i}`));
    const results = await Promise.all(guesses.map((password) => attempt(password, '203.0.113.10')));
    expect(results.filter((code) => code !== 'too_many_requests')).toHaveLength(SIGN_IN_BACKOFF.pair.free);
    expect(results).not.toContain('signed-in');
  });

  it('slows one address down on one account, and never delays a correct password from a clean address', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    // Failures spread over five addresses lock nobody out ...
    for (let i = 0; i < 5; i++) expect(await attempt('wrong', `10.0.0.${i}`)).toBe('unauthorized');
    expect(await attempt(PASSWORD, '10.0.1.1')).toBe('signed-in');
    // ... and one address that keeps failing waits, while the author signs in from elsewhere.
    for (let i = 0; i < SIGN_IN_BACKOFF.pair.free; i++) expect(await attempt('wrong', '192.0.2.50')).toBe('unauthorized');
    const error = await signIn('ada@example.com', PASSWORD, addressForLimits('192.0.2.50')).catch((e: AppError) => e);
    expect(error).toMatchObject({ code: 'too_many_requests', status: 429 });
    expect(Number((error as AppError).headers?.['Retry-After'])).toBe(1);
    expect(await attempt(PASSWORD, '192.0.2.51')).toBe('signed-in');
  });

  it('throttles one address across accounts', async () => {
    for (let i = 0; i < SIGN_IN_BACKOFF.address.free; i++) {
      expect(await attempt('wrong', '192.0.2.7', `user${i}@example.com`)).toBe('unauthorized');
    }
    expect(await attempt('wrong', '192.0.2.7', 'someone@example.com')).toBe('too_many_requests');
    expect(await attempt('wrong', '192.0.2.8', 'someone@example.com')).toBe('unauthorized');
  });

  it('keys cannot run into each other', () => {
    const address = '1' as LimitAddress;
    expect(signInKeys('a|b@example.com', address).pair).not.toBe(signInKeys('a', `b@example.com|${address}` as LimitAddress).pair);
  });
});

describe('first-run setup', () => {
  it('creates the first author once, with the setup token only', async () => {
    const setup = (await prepareSetup())!;
    expect(setup.token.length).toBeGreaterThanOrEqual(20);
    expect(await isSetupPending()).toBe(true);
    const input = { email: 'ada@example.com', name: 'Ada', password: 'a long enough password' };
    await expect(completeSetup({ ...input, setupToken: 'wrong' })).rejects.toMatchObject({ code: 'forbidden' });
    const user = await completeSetup({ ...input, setupToken: setup.token });
    expect(user.email).toBe('ada@example.com');
    expect(await isSetupPending()).toBe(false);
    expect(await prepareSetup()).toBeUndefined();
    await expect(completeSetup({ ...input, email: 'eve@example.com', setupToken: setup.token })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('makes one author when two requests with the right token come at once', async () => {
    const { token } = (await prepareSetup())!;
    const input = (email: string) => ({ email, name: 'Ada', password: 'a long enough password', setupToken: token });
    const results = await Promise.allSettled([completeSetup(input('ada@example.com')), completeSetup(input('eve@example.com'))]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    expect(await getDb().select({ email: users.email }).from(users)).toHaveLength(1);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, authenticate, and stop working when revoked', async () => {
    const user = await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    const created = await createApiToken(user.id, 'Deploy script');
    expect(created.token).toMatch(/^quire_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await listApiTokens())).not.toContain(created.token);
    expect(JSON.stringify(await getDb().select().from(apiTokens))).not.toContain(created.token);

    const request = () => new Request(`${SITE}/api/posts`, { method: 'POST', headers: { Authorization: `Bearer ${created.token}` } });
    expect(await authenticate(request())).toEqual({ kind: 'token', user });
    expect((await listApiTokens())[0]!.lastUsedAt).not.toBeNull();
    await revokeApiToken(created.id);
    expect(await codeOf(() => authenticate(request()))).toBe('unauthorized');
  });

  it('accepts the ADMIN_TOKEN as a bootstrap token', async () => {
    const request = new Request(`${SITE}/api/posts`, { headers: { Authorization: `Bearer ${process.env.ADMIN_TOKEN}` } });
    expect(await authenticate(request)).toEqual({ kind: 'bootstrap' });
  });

  it('treats a missing token as anonymous and a wrong one as an error', async () => {
    expect(await authenticate(new Request(`${SITE}/api/posts`))).toBeNull();
    expect(await codeOf(() => requireAdmin(new Request(`${SITE}/api/posts`)))).toBe('unauthorized');
    expect(await codeOf(() => authenticate(new Request(`${SITE}/api/posts`, { headers: { Authorization: 'Bearer nope' } })))).toBe(
      'unauthorized',
    );
  });
});

describe('the CSRF rule', () => {
  const post = (headers: Record<string, string>) => new Request(`${SITE}/api/posts`, { method: 'POST', headers });

  it.each([
    [{ Origin: SITE }, true],
    [{ Origin: 'https://evil.example' }, false],
    [{ Origin: 'null' }, false],
    [{ 'Sec-Fetch-Site': 'same-origin' }, true],
    [{ 'Sec-Fetch-Site': 'cross-site' }, false],
    [{ 'Sec-Fetch-Site': 'same-site' }, false],
    [{ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'same-origin' }, false],
    [{}, false],
    [{ Origin: 'http://localhost:4000', Host: 'localhost:4000', 'X-Forwarded-Proto': 'http' }, true],
  ])('%j allowed: %s', async (headers, allowed) => {
    expect(await codeOf(() => assertSameOrigin(post(headers)))).toBe(allowed ? undefined : 'forbidden');
  });

  it('applies to cookie sessions on writes only, never to tokens', async () => {
    const user = await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    const { token } = await createSession(user.id);
    const cookie = `quire_session=${token}`;
    const foreign = { Cookie: cookie, Origin: 'https://evil.example' };
    expect(await codeOf(() => authenticate(post(foreign)))).toBe('forbidden');
    expect(await authenticate(new Request(`${SITE}/api/session`, { headers: foreign }))).toMatchObject({ kind: 'session' });
    expect(await authenticate(post({ Cookie: cookie, Origin: SITE }))).toMatchObject({ kind: 'session' });
    const apiToken = (await createApiToken(user.id, 'script')).token;
    expect(await authenticate(post({ Authorization: `Bearer ${apiToken}`, Origin: 'https://evil.example' }))).toMatchObject({
      kind: 'token',
    });
  });
});

describe('rate limits', () => {
  it('count per key in fixed windows shared through the database', async () => {
    const limit = { max: 3, windowSeconds: 60 };
    const t0 = 1_700_000_000_000;
    const counts = [];
    for (const i of [1, 2, 3, 4]) counts.push((await hit('k', limit, t0 + i)).count);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect((await hit('other', limit, t0)).count).toBe(1);
    expect((await hit('k', limit, t0 + 30_001)).retryAfter).toBe(30);
    // A new window starts over.
    expect((await hit('k', limit, t0 + 61_000)).count).toBe(1);
    await clear('k');
    expect((await hit('k', limit, t0 + 61_001)).count).toBe(1);
  });

  it('count every one of many requests at once', async () => {
    const limit = { max: 3, windowSeconds: 60 };
    const states = await Promise.all(Array.from({ length: 12 }, () => hit('crowd', limit)));
    expect(states.map((state) => state.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('back off with a doubling delay after the free attempts, up to the cap', async () => {
    const backoff = { free: 3, baseSeconds: 1, maxSeconds: 10 };
    let now = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) expect(await reserveAttempt('b', backoff, now)).toEqual({ allowed: true });
    // The third attempt earned a 1 s wait, then 2, 4, 8 and never more than 10.
    for (const wait of [1, 2, 4, 8, 10, 10]) {
      expect(await reserveAttempt('b', backoff, now)).toEqual({ allowed: false, retryAfter: wait });
      now += wait * 1000;
      expect(await reserveAttempt('b', backoff, now)).toEqual({ allowed: true });
    }
    // A refund gives back the count, not the wait already earned.
    await refundAttempt('b');
    expect(await reserveAttempt('b', backoff, now)).toEqual({ allowed: false, retryAfter: 10 });
    await clear('b');
    expect(await reserveAttempt('b', backoff, now)).toEqual({ allowed: true });
  });
});
