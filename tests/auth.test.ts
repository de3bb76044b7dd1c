import { beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { createApiToken, listApiTokens, revokeApiToken } from '@/lib/api-tokens';
import { assertSameOrigin, authenticate, requireAdmin } from '@/lib/auth';
import { AppError } from '@/lib/errors';
import { hashPassword, verifyPassword } from '@/lib/password';
import { clear, hit, peek } from '@/lib/rate-limit';
import { SESSION_TTL_SECONDS, createSession, deleteSession, getSessionUser } from '@/lib/sessions';
import { SIGN_IN_LIMITS, signIn } from '@/lib/sign-in';
import { completeSetup, isSetupPending, prepareSetup } from '@/lib/setup';
import { createUser } from '@/lib/users';
import { resetDatabase } from './helpers';

const SITE = 'https://blog.example.test';

beforeEach(() => {
  resetDatabase();
  getDb().$client.exec('DELETE FROM sessions; DELETE FROM api_tokens; DELETE FROM users;');
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
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
    const { token } = createSession(user.id, now);
    const stored = getDb().$client.prepare('SELECT id FROM sessions').get() as { id: string };
    expect(stored.id).not.toContain(token);
    expect(getSessionUser(token, now)).toEqual(user);
    expect(getSessionUser(token, now + SESSION_TTL_SECONDS * 1000 + 1)).toBeUndefined();
    expect(getSessionUser('forged', now)).toBeUndefined();
    deleteSession(token);
    expect(getSessionUser(token, now)).toBeUndefined();
  });
});

describe('sign-in', () => {
  it('signs in with the right password, case-insensitively by email', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    const { user, token } = await signIn('ADA@example.com ', 'a long enough password', '10.0.0.1');
    expect(user.name).toBe('Ada');
    expect(getSessionUser(token)?.email).toBe('ada@example.com');
  });

  it('throttles failures per account with 429 and Retry-After', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    for (let i = 0; i < SIGN_IN_LIMITS.account.max; i++) {
      await expect(signIn('ada@example.com', 'wrong', `10.0.0.${i}`)).rejects.toMatchObject({ code: 'unauthorized' });
    }
    // Even the right password is refused until the window passes.
    const error = await signIn('ada@example.com', 'a long enough password', '10.0.1.1').catch((e: AppError) => e);
    expect(error).toMatchObject({ code: 'too_many_requests', status: 429 });
    expect(Number((error as AppError).headers?.['Retry-After'])).toBeGreaterThan(800);
  });

  it('throttles failures per address across accounts', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.address.max; i++) {
      await expect(signIn(`user${i}@example.com`, 'wrong', '192.0.2.7')).rejects.toMatchObject({ code: 'unauthorized' });
    }
    await expect(signIn('someone@example.com', 'wrong', '192.0.2.7')).rejects.toMatchObject({ code: 'too_many_requests' });
    await expect(signIn('someone@example.com', 'wrong', '192.0.2.8')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('first-run setup', () => {
  it('creates the first author once, with the setup token only', async () => {
    const setup = prepareSetup()!;
    expect(setup.token.length).toBeGreaterThanOrEqual(20);
    expect(isSetupPending()).toBe(true);
    const input = { email: 'ada@example.com', name: 'Ada', password: 'a long enough password' };
    await expect(completeSetup({ ...input, setupToken: 'wrong' })).rejects.toMatchObject({ code: 'forbidden' });
    const user = await completeSetup({ ...input, setupToken: setup.token });
    expect(user.email).toBe('ada@example.com');
    expect(isSetupPending()).toBe(false);
    expect(prepareSetup()).toBeUndefined();
    await expect(completeSetup({ ...input, email: 'eve@example.com', setupToken: setup.token })).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, authenticate, and stop working when revoked', async () => {
    const user = await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    const created = createApiToken(user.id, 'Deploy script');
    expect(created.token).toMatch(/^quire_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(listApiTokens())).not.toContain(created.token);
    expect(JSON.stringify(getDb().$client.prepare('SELECT * FROM api_tokens').all())).not.toContain(created.token);

    const request = () => new Request(`${SITE}/api/posts`, { method: 'POST', headers: { Authorization: `Bearer ${created.token}` } });
    expect(authenticate(request())).toEqual({ kind: 'token', user });
    expect(listApiTokens()[0]!.lastUsedAt).not.toBeNull();
    revokeApiToken(created.id);
    expect(codeOf(() => authenticate(request()))).toBe('unauthorized');
  });

  it('accepts the ADMIN_TOKEN as a bootstrap token', () => {
    const request = new Request(`${SITE}/api/posts`, { headers: { Authorization: `Bearer ${process.env.ADMIN_TOKEN}` } });
    expect(authenticate(request)).toEqual({ kind: 'bootstrap' });
  });

  it('treats a missing token as anonymous and a wrong one as an error', () => {
    expect(authenticate(new Request(`${SITE}/api/posts`))).toBeNull();
    expect(codeOf(() => requireAdmin(new Request(`${SITE}/api/posts`)))).toBe('unauthorized');
    expect(codeOf(() => authenticate(new Request(`${SITE}/api/posts`, { headers: { Authorization: 'Bearer nope' } })))).toBe(
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
  ])('%j allowed: %s', (headers, allowed) => {
    expect(codeOf(() => assertSameOrigin(post(headers)))).toBe(allowed ? undefined : 'forbidden');
  });

  it('applies to cookie sessions on writes only, never to tokens', async () => {
    const user = await createUser({ email: 'ada@example.com', name: 'Ada', password: 'a long enough password' });
    const { token } = createSession(user.id);
    const cookie = `quire_session=${token}`;
    const foreign = { Cookie: cookie, Origin: 'https://evil.example' };
    expect(codeOf(() => authenticate(post(foreign)))).toBe('forbidden');
    expect(authenticate(new Request(`${SITE}/api/session`, { headers: foreign }))).toMatchObject({ kind: 'session' });
    expect(authenticate(post({ Cookie: cookie, Origin: SITE }))).toMatchObject({ kind: 'session' });
    const apiToken = createApiToken(user.id, 'script').token;
    expect(authenticate(post({ Authorization: `Bearer ${apiToken}`, Origin: 'https://evil.example' }))).toMatchObject({ kind: 'token' });
  });
});

describe('rate limits', () => {
  it('count per key in fixed windows shared through the database', () => {
    const limit = { max: 3, windowSeconds: 60 };
    const t0 = 1_700_000_000_000;
    expect([1, 2, 3, 4].map((i) => hit('k', limit, t0 + i).count)).toEqual([1, 2, 3, 4]);
    expect(peek('k', limit, t0 + 10).count).toBe(4);
    expect(hit('other', limit, t0).count).toBe(1);
    expect(hit('k', limit, t0 + 30_001).retryAfter).toBe(30);
    // A new window starts over.
    expect(hit('k', limit, t0 + 61_000).count).toBe(1);
    clear('k');
    expect(peek('k', limit, t0 + 61_001).count).toBe(0);
  });
});
