import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as tokensRoute from '@/app/api/admin/tokens/route';
import * as commentRoute from '@/app/api/comments/[id]/route';
import * as postsRoute from '@/app/api/posts/route';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as sessionRoute from '@/app/api/session/route';
import * as setupRoute from '@/app/api/setup/route';
import { eq } from 'drizzle-orm';
import { transaction } from '@/db';
import { apiTokens, comments, sessions, users } from '@/db/schema';
import { createApiToken, findUserByApiToken, listApiTokens } from '@/lib/auth/api-tokens';
import { clientAddress, localPath, seeOther } from '@/lib/http';
import { hashPassword } from '@/lib/auth/password';
import { updateCommentSettings } from '@/lib/comments/settings';
import { SETUP_LIMIT, prepareSetup } from '@/lib/auth/setup';
import { createUser } from '@/lib/auth/users';
import { ADMIN, call, clearTables, makeComment, makePost, resetDatabase } from './helpers';

/*
 * The defects a black-box security review found (issue 10), each as it was reproduced. Throttled
 * sign-in and author lock-out are in tests/auth.test.ts, the server's edge (client address, headers,
 * TRACE, broken percent-encoding) in tests/edge.test.ts, cache keys in tests/cache-keys.test.ts.
 */

// Setup must check everything cheap before hashing a password: count the (real) hashes.
vi.mock('@/lib/auth/password', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/lib/auth/password')>();
  return { ...original, hashPassword: vi.fn(original.hashPassword) };
});

const SITE = 'https://blog.example.test';
const PASSWORD = 'a long enough password';

beforeEach(async () => {
  await resetDatabase();
  await clearTables(sessions, apiTokens, users);
  await updateCommentSettings({ commentRateLimit: { max: 1000, windowSeconds: 60 }, minSubmitSeconds: 0 });
  vi.mocked(hashPassword).mockClear();
});

/** The first cookie of each Set-Cookie header, as a browser would send them back. */
const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0]!)
    .join('; ');

const comment = (slug: string, json: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(commentsRoute.POST, { method: 'POST', params: { slug }, json: { authorName: 'Reader', body: 'Hello', ...json }, headers });

const approve = (id: number) =>
  call(commentRoute.PATCH, { method: 'PATCH', params: { id: String(id) }, headers: ADMIN, json: { status: 'approved' } });

const edit = (id: number, body: string, cookie: string, headers: Record<string, string> = {}) =>
  call(commentRoute.PATCH, {
    method: 'PATCH',
    params: { id: String(id) },
    headers: { Cookie: cookie, Origin: SITE, ...headers },
    json: { body },
  });

describe('a reader’s edit is moderated again', () => {
  it('under "hold every comment", an approved comment edited by its reader is held again', async () => {
    await updateCommentSettings({ moderation: 'hold_all' });
    const { slug } = await makePost();
    const posted = await comment(slug, { body: 'Harmless at first.' });
    const { id } = await posted.json();
    expect((await approve(id)).status).toBe(200);
    const edited = await edit(id, 'Now with https://spam.example and https://more.example', cookiesOf(posted));
    expect(edited.status).toBe(200);
    expect((await edited.json()).status).toBe('pending');
    expect((await (await call(commentsRoute.GET, { params: { slug } })).json()).data).toEqual([]);
  });

  it('under the other policies, links and the blocklist are checked again', async () => {
    await updateCommentSettings({ moderation: 'immediate', blocklist: ['casino'] });
    const { slug } = await makePost();
    const posted = await comment(slug, {});
    const { id } = await posted.json();
    expect((await (await edit(id, 'Still harmless.', cookiesOf(posted))).json()).status).toBe('approved');
    expect((await (await edit(id, 'Visit my casino', cookiesOf(posted))).json()).status).toBe('pending');
  });

  it('reader edits are rate-limited like new comments', async () => {
    await updateCommentSettings({ commentRateLimit: { max: 2, windowSeconds: 60 } });
    const { slug } = await makePost();
    const posted = await comment(slug, {}, { 'X-Quire-Client-Address': '198.51.100.1' });
    const { id } = await posted.json();
    const from = (address: string) => edit(id, `Edit from ${address}`, cookiesOf(posted), { 'X-Quire-Client-Address': address });
    expect((await from('198.51.100.2')).status).toBe(200);
    expect((await from('198.51.100.2')).status).toBe(200);
    const third = await from('198.51.100.2');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

/*
 * Issue 23, item 4: the link limit and the blocklist judged the Markdown source, so what renders as a
 * link or a word did not count when the source spelled it another way. Each payload of the review, as a
 * new comment and as a reader's edit of an approved one.
 */
describe('the link limit and the blocklist judge what the comment shows', () => {
  const LINKS: [name: string, body: string][] = [
    ['a reference-style link', '[one][a] and [two][a]\n\n[a]: //spam.example/buy'],
    ['an entity-encoded scheme in a link definition', '[cheap pills][p]\n\n[p]: &#104;ttps://spam.example/buy'],
    ['an entity-encoded scheme in the text', 'Visit &#104;ttps://spam.example/buy today'],
    ['an autolinked bare address', 'Visit www.spam.example today'],
    ['an angle-bracket autolink', 'Visit <https://spam.example/buy> today'],
  ];
  const WORDS: [name: string, body: string][] = [
    ['an entity-encoded letter', 'Cheap v&#105;agra here'],
    ['emphasis inside the word', 'Cheap v*i*agra here'],
    ['a backslash inside the word', 'Cheap v\\iagra here'],
    ['a zero-width space', 'Cheap vi\u200bagra here'],
    ['a soft hyphen', 'Cheap via\u00adgra here'],
    ['a combining accent', 'Cheap vi\u0301agra here'],
    ['full-width letters', 'Cheap \uff56\uff49\uff41\uff47\uff52\uff41 here'],
    ['a named entity in a link text', '[vi&shy;agra](https://shop.example)'],
  ];

  it.each(LINKS)('a comment with %s counts as a link', async (_name, body) => {
    await updateCommentSettings({ moderation: 'immediate', maxLinks: 0 });
    const { slug } = await makePost();
    const posted = await comment(slug, { body });
    expect(posted.status).toBe(201);
    expect((await posted.json()).status).toBe('pending');
  });

  it.each(WORDS)('a comment with %s is held by the blocklist', async (_name, body) => {
    await updateCommentSettings({ moderation: 'immediate', blocklist: ['viagra'] });
    const { slug } = await makePost();
    const posted = await comment(slug, { body });
    expect(posted.status).toBe(201);
    expect((await posted.json()).status).toBe('pending');
  });

  it('a name hidden the same ways is held too', async () => {
    await updateCommentSettings({ moderation: 'immediate', blocklist: ['viagra'] });
    const { slug } = await makePost();
    for (const authorName of ['Vi\u200bagra Shop', '\uff36\uff49\uff41\uff47\uff52\uff41', 'Vi\u00adagra']) {
      expect((await (await comment(slug, { authorName })).json()).status, authorName).toBe('pending');
    }
  });

  it('a reader’s edit is judged the same way', async () => {
    await updateCommentSettings({ moderation: 'immediate', blocklist: ['viagra'], maxLinks: 0 });
    const { slug } = await makePost();
    for (const [name, body] of [...LINKS, ...WORDS]) {
      const posted = await comment(slug, { body: 'Harmless at first.' });
      const { id, status } = await posted.json();
      expect(status).toBe('approved');
      const edited = await edit(id, body, cookiesOf(posted));
      expect(edited.status, name).toBe(200);
      expect((await edited.json()).status, name).toBe('pending');
    }
  });

  it('ordinary text, code and words that only contain a blocked one’s letters apart stay published', async () => {
    await updateCommentSettings({ moderation: 'immediate', blocklist: ['viagra', 'casino'], maxLinks: 1 });
    const { slug } = await makePost();
    for (const body of [
      'A fine post, thanks. Via Agra to Delhi is a long way.',
      'One link is allowed: [the docs](https://example.com/docs).',
      'The code `let a = b * c;` and *emphasis* are fine.',
      'Casi no, ca sino: words apart are not the word.',
    ]) {
      expect((await (await comment(slug, { body })).json()).status, body).toBe('approved');
    }
  });
});

describe('"hold first-time commenters" knows readers by their cookie, not by a typed email', () => {
  beforeEach(async () => {
    await updateCommentSettings({ moderation: 'hold_first_time' });
  });

  it('typing the author’s or an approved reader’s email does not skip the queue', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const { slug } = await makePost();
    // An approved comment by a reader, and one by the author, both with their emails.
    const regular = await comment(slug, { authorEmail: 'regular@example.com' });
    await approve((await regular.json()).id);
    await makeComment(slug, { authorName: 'Ada' });
    await transaction((tx) =>
      tx.update(comments).set({ authorEmail: 'ada@example.com', status: 'approved' }).where(eq(comments.authorName, 'Ada')),
    );

    for (const email of ['ada@example.com', 'regular@example.com']) {
      const impostor = await comment(slug, { authorName: 'Impostor', authorEmail: email, body: 'Buy now' });
      expect((await impostor.json()).status, email).toBe('pending');
    }
  });

  it('a reader whose comment was approved is published at once next time, from the same browser', async () => {
    const { slug } = await makePost();
    const first = await comment(slug, { body: 'My first comment.' });
    expect((await first.clone().json()).status).toBe('pending');
    const commenterCookie = first.headers.getSetCookie().find((cookie) => cookie.startsWith('quire_commenter='))!;
    expect(commenterCookie).toMatch(/Max-Age=31536000; HttpOnly; SameSite=Lax/);
    await approve((await first.json()).id);

    const cookie = commenterCookie.split(';')[0]!;
    expect((await (await comment(slug, { body: 'Welcome back.' }, { Cookie: cookie })).json()).status).toBe('approved');
    // A forged or copied-by-hand value is not a returning reader.
    expect((await (await comment(slug, {}, { Cookie: 'quire_commenter=cforged123456789012345678.bad' })).json()).status).toBe('pending');
    expect((await (await comment(slug, {})).json()).status).toBe('pending');
  });
});

describe('redirects stay on this site', () => {
  it('accepts only paths on this site for `next`', () => {
    const refused = [
      '/\t/evil.example/x',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/ /evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\/evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/\u0000/evil.example',
      '/\u00a0/evil.example',
      '',
      'admin',
    ];
    for (const next of refused) expect(localPath(next, '/fallback'), JSON.stringify(next)).toBe('/fallback');
    expect(localPath('/admin/posts?q=a b'.replace(' ', '+'), '/x')).toBe('/admin/posts?q=a+b');
    expect(localPath('/posts/café#c-1', '/x')).toBe('/posts/caf%C3%A9#c-1');
    expect(localPath('/a/../../b', '/x')).toBe('/b');
  });

  it('a 303 never names another site', () => {
    for (const location of ['//evil.example', 'https://evil.example', '/\t/evil.example']) {
      expect(seeOther(location).headers.get('location')).toBe('/');
    }
  });

  it('the sign-in form with a tab in `next` lands in the admin area', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const response = await call(sessionRoute.POST, {
      method: 'POST',
      form: { email: 'ada@example.com', password: PASSWORD, next: '/\t/evil.example/x' },
      headers: { Origin: SITE },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin');
  });

  it('the no-JavaScript comment form checks the slug before any redirect', async () => {
    const response = await call(commentsRoute.POST, {
      method: 'POST',
      params: { slug: 'a/../../..//evil.example' },
      form: { authorName: '', body: '' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('the client address', () => {
  it('comes only from the header Quire’s server sets, never from X-Forwarded-For', () => {
    const request = (headers: Record<string, string>) => new Request(SITE, { headers });
    expect(clientAddress(request({ 'X-Forwarded-For': '203.0.113.1' }))).toBe('unknown');
    expect(clientAddress(request({ 'X-Quire-Client-Address': '198.51.100.4', 'X-Forwarded-For': '203.0.113.1' }))).toBe('198.51.100.4');
  });
});

describe('the post list', () => {
  it('answers an unknown tag with 404 instead of an empty list', async () => {
    await makePost({ tags: ['Real'] });
    const unknown = await call(postsRoute.GET, { path: '/api/posts?tag=undefined' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: 'Tag was not found.' });
    expect((await (await call(postsRoute.GET, { path: '/api/posts?tag=real' })).json()).data).toHaveLength(1);
  });
});

describe('first-run setup', () => {
  const body = (setupToken: string) => ({ setupToken, name: 'Ada', email: 'ada@example.com', password: PASSWORD });
  const setup = (setupToken: string, address = '192.0.2.1') =>
    call(setupRoute.POST, { method: 'POST', json: body(setupToken), headers: { Origin: SITE, 'X-Quire-Client-Address': address } });

  it('checks the token before hashing the password, and limits attempts per address', async () => {
    const { token } = (await prepareSetup())!;
    for (let i = 0; i < SETUP_LIMIT.max; i++) expect((await setup(`wrong-token-${i}`)).status).toBe(403);
    expect(hashPassword).not.toHaveBeenCalled();
    const limited = await setup(token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await setup(token, '192.0.2.2')).status).toBe(201);
    expect(hashPassword).toHaveBeenCalledTimes(1);
  });

  it('once set up, answers 409 at once, without hashing or counting', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    vi.mocked(hashPassword).mockClear();
    for (let i = 0; i < SETUP_LIMIT.max + 2; i++) expect((await setup('anything')).status).toBe(409);
    expect(hashPassword).not.toHaveBeenCalled();
  });
});

describe('API tokens', () => {
  it('may expire: they stop working after their time and the list says when', async () => {
    const user = await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const now = Date.now();
    const expiring = await createApiToken(user.id, 'CI', { expiresInDays: 30, now });
    const forever = await createApiToken(user.id, 'Backup script');
    expect(expiring.expiresAt).toBe(new Date(now + 30 * 86_400_000).toISOString());
    expect(forever.expiresAt).toBeNull();
    expect(await findUserByApiToken(expiring.token, now + 29 * 86_400_000)).toEqual(user);
    expect(await findUserByApiToken(expiring.token, now + 31 * 86_400_000)).toBeUndefined();
    expect(await findUserByApiToken(forever.token, now + 3650 * 86_400_000)).toEqual(user);
    expect((await listApiTokens()).map((token) => token.expiresAt)).toContain(expiring.expiresAt);
  });

  it('are created with an expiry through the API, which names a bad value', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const signIn = await call(sessionRoute.POST, {
      method: 'POST',
      json: { email: 'ada@example.com', password: PASSWORD },
      headers: { Origin: SITE },
    });
    const session = { Cookie: cookiesOf(signIn), Origin: SITE };
    const created = await call(tokensRoute.POST, { method: 'POST', json: { name: 'CI', expiresInDays: 7 }, headers: session });
    expect(created.status).toBe(201);
    expect(Date.parse((await created.json()).expiresAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const bad = await call(tokensRoute.POST, { method: 'POST', json: { name: 'CI', expiresInDays: 0 }, headers: session });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual([{ field: 'expiresInDays', message: 'expiresInDays must be at least 1.' }]);
  });
});
