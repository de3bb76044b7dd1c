import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as sessionRoute from '@/app/api/session/route';
import * as setupRoute from '@/app/api/setup/route';
import { apiTokens, sessions, users } from '@/db/schema';
import { prepareSetup } from '@/lib/auth/setup';
import { createUser } from '@/lib/auth/users';
import { updateCommentSettings } from '@/lib/comments/settings';
import { clearTables, makePost, resetDatabase } from './helpers';

/*
 * Issue 23, item 8: with an https SITE_URL, cookies lacked `Secure` unless a trusted proxy sent
 * X-Forwarded-Proto. Behind a proxy that ends TLS, Next sees an http:// request URL, as here.
 */

const SITE = process.env.SITE_URL!;
const PASSWORD = 'a long enough password';

/** A request as Quire's server hands it to Next behind a TLS-terminating proxy: http, no X-Forwarded-Proto. */
const plainHttp = (path: string, init: { method: string; json?: unknown; headers?: Record<string, string> }) =>
  new Request(`http://blog.example.test${path}`, {
    method: init.method,
    headers: { Origin: SITE, 'Content-Type': 'application/json', ...init.headers },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });

const context = <P>(params: P) => ({ params: Promise.resolve(params) });

/** Each Set-Cookie's name and whether it says Secure. */
const secureFlags = (response: Response) =>
  Object.fromEntries(response.headers.getSetCookie().map((cookie) => [cookie.split('=')[0]!, /;\s*Secure(;|$)/i.test(cookie)]));

beforeEach(async () => {
  await resetDatabase();
  await clearTables(sessions, apiTokens, users);
  await updateCommentSettings({ minSubmitSeconds: 0 });
});

describe('with an https SITE_URL, every cookie Quire sets is Secure, whatever the request URL says', () => {
  it('sign-in and sign-out: the session cookie and the signed-in hint', async () => {
    expect(SITE).toMatch(/^https:/);
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const signedIn = await sessionRoute.POST(
      plainHttp('/api/session', { method: 'POST', json: { email: 'ada@example.com', password: PASSWORD } }),
      context({}),
    );
    expect(signedIn.status).toBe(200);
    expect(secureFlags(signedIn)).toEqual({ quire_session: true, quire_signed_in: true });

    const session = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const signedOut = await sessionRoute.DELETE(plainHttp('/api/session', { method: 'DELETE', headers: { Cookie: session } }), context({}));
    expect(signedOut.status).toBe(204);
    expect(secureFlags(signedOut)).toEqual({ quire_session: true, quire_signed_in: true });
  });

  it('setup: the new author’s session', async () => {
    const { token } = (await prepareSetup())!;
    const response = await setupRoute.POST(
      plainHttp('/api/setup', { method: 'POST', json: { setupToken: token, name: 'Ada', email: 'ada@example.com', password: PASSWORD } }),
      context({}),
    );
    expect(response.status).toBe(201);
    expect(secureFlags(response)).toEqual({ quire_session: true, quire_signed_in: true });
  });

  it('a reader’s comment: the commenter cookie and the edit grant', async () => {
    const { slug } = await makePost();
    const response = await commentsRoute.POST(
      plainHttp(`/api/posts/${slug}/comments`, { method: 'POST', json: { authorName: 'Reader', body: 'Hello' } }),
      context({ slug }),
    );
    expect(response.status).toBe(201);
    expect(secureFlags(response)).toEqual({ quire_comments: true, quire_commenter: true });
  });
});

describe('with an http SITE_URL (local use)', () => {
  it('cookies are Secure only when the request came over https', async () => {
    const before = process.env.SITE_URL;
    try {
      process.env.SITE_URL = 'http://localhost:3000';
      vi.resetModules();
      const { serializeCookie } = await import('@/lib/http/cookies');
      const cookie = (url: string, headers: Record<string, string> = {}) =>
        serializeCookie(new Request(url, { headers }), 'quire_session', 'x', 60);
      expect(cookie('http://localhost:3000/api/session')).not.toMatch(/Secure/);
      expect(cookie('https://localhost:3000/api/session')).toMatch(/; Secure$/);
      expect(cookie('http://localhost:3000/api/session', { 'X-Forwarded-Proto': 'https' })).toMatch(/; Secure$/);
    } finally {
      process.env.SITE_URL = before;
    }
  });
});
