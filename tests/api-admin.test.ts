import { beforeEach, describe, expect, it } from 'vitest';
import * as bulkRoute from '@/app/api/admin/comments/bulk/route';
import * as adminCommentsRoute from '@/app/api/admin/comments/route';
import * as adminPostsRoute from '@/app/api/admin/posts/route';
import * as previewRoute from '@/app/api/admin/preview/route';
import * as settingsRoute from '@/app/api/admin/settings/route';
import * as siteImageRoute from '@/app/api/admin/site/[image]/route';
import * as siteRoute from '@/app/api/admin/site/route';
import * as slugsRoute from '@/app/api/admin/slugs/route';
import * as tokenRoute from '@/app/api/admin/tokens/[id]/route';
import * as tokensRoute from '@/app/api/admin/tokens/route';
import * as passwordRoute from '@/app/api/account/password/route';
import * as accountSessionsRoute from '@/app/api/account/sessions/route';
import * as commentRoute from '@/app/api/comments/[id]/route';
import * as postsRoute from '@/app/api/posts/route';
import * as postRoute from '@/app/api/posts/[slug]/route';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as sessionRoute from '@/app/api/session/route';
import * as setupRoute from '@/app/api/setup/route';
import { eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { apiTokens, comments, sessions, users } from '@/db/schema';
import { issueFormToken } from '@/lib/comments/spam-policy';
import { prepareSetup } from '@/lib/auth/setup';
import { updateCommentSettings } from '@/lib/comments/settings';
import { createUser } from '@/lib/auth/users';
import { ADMIN, call, clearTables, makeComment, makePost, resetDatabase } from './helpers';

const SITE = 'https://blog.example.test';
const PASSWORD = 'a long enough password';
type AnyHandler = (request: Request, context: { params: Promise<never> }) => Response | Promise<Response>;

beforeEach(async () => {
  await resetDatabase();
  await clearTables(sessions, apiTokens, users);
  await updateCommentSettings({ commentRateLimit: { max: 1000, windowSeconds: 60 }, minSubmitSeconds: 0 });
});

async function signedInCookie(): Promise<string> {
  await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
  const response = await call(sessionRoute.POST, {
    method: 'POST',
    json: { email: 'ada@example.com', password: PASSWORD },
    headers: { Origin: SITE },
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

const statusOf = async (id: number) =>
  (await getDb().select({ status: comments.status }).from(comments).where(eq(comments.id, id)))[0]?.status;
const statusesOf = (ids: number[]) => Promise.all(ids.map(statusOf));
const setCreatedAt = (id: number, createdAt: string) =>
  transaction((tx) => tx.update(comments).set({ createdAt }).where(eq(comments.id, id)));

// Every endpoint that changes or reveals the author's data, with a body that would otherwise be valid.
const PROTECTED: [string, AnyHandler, { method: string; json?: unknown; params?: object; path?: string }][] = [
  ['POST /api/posts', postsRoute.POST, { method: 'POST', json: { title: 't', body: 'b' } }],
  ['PATCH /api/posts/{slug}', postRoute.PATCH, { method: 'PATCH', json: { title: 't' }, params: { slug: 'p' } }],
  ['DELETE /api/posts/{slug}', postRoute.DELETE, { method: 'DELETE', params: { slug: 'p' } }],
  ['PATCH /api/comments/{id}', commentRoute.PATCH, { method: 'PATCH', json: { status: 'spam' }, params: { id: '1' } }],
  ['DELETE /api/comments/{id}', commentRoute.DELETE, { method: 'DELETE', params: { id: '1' } }],
  ['GET /api/admin/comments', adminCommentsRoute.GET, { method: 'GET' }],
  ['POST /api/admin/comments/bulk', bulkRoute.POST, { method: 'POST', json: { action: 'spam', ids: [1] } }],
  ['GET /api/admin/posts', adminPostsRoute.GET, { method: 'GET' }],
  ['GET /api/admin/settings', settingsRoute.GET, { method: 'GET' }],
  ['PATCH /api/admin/settings', settingsRoute.PATCH, { method: 'PATCH', json: { moderation: 'hold_all' } }],
  ['GET /api/admin/site', siteRoute.GET, { method: 'GET' }],
  ['PATCH /api/admin/site', siteRoute.PATCH, { method: 'PATCH', json: { name: 'Taken over' } }],
  ['PUT /api/admin/site/{image}', siteImageRoute.PUT, { method: 'PUT', json: {}, params: { image: 'logo' } }],
  ['DELETE /api/admin/site/{image}', siteImageRoute.DELETE, { method: 'DELETE', params: { image: 'logo' } }],
  ['GET /api/admin/tokens', tokensRoute.GET, { method: 'GET' }],
  ['POST /api/admin/tokens', tokensRoute.POST, { method: 'POST', json: { name: 'x' } }],
  ['DELETE /api/admin/tokens/{id}', tokenRoute.DELETE, { method: 'DELETE', params: { id: '1' } }],
  ['POST /api/admin/preview', previewRoute.POST, { method: 'POST', json: { body: '# x' } }],
  ['GET /api/admin/slugs', slugsRoute.GET, { method: 'GET', path: '/api/admin/slugs?slug=x' }],
  ['GET /api/session', sessionRoute.GET, { method: 'GET' }],
  [
    'POST /api/account/password',
    passwordRoute.POST,
    { method: 'POST', json: { currentPassword: PASSWORD, newPassword: 'taken over for good' } },
  ],
  ['DELETE /api/account/sessions', accountSessionsRoute.DELETE, { method: 'DELETE' }],
];

describe('security', () => {
  it.each(PROTECTED)('%s without credentials is 401', async (_name, handler, options) => {
    await makePost({ slug: 'p' });
    const response = await call(handler, { ...options, params: options.params as never });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it.each(PROTECTED.filter(([, , options]) => options.method !== 'GET'))(
    '%s with a session cookie but a foreign Origin is 403',
    async (_name, handler, options) => {
      const cookie = await signedInCookie();
      await makePost({ slug: 'p' });
      const response = await call(handler, {
        ...options,
        params: options.params as never,
        headers: { Cookie: cookie, Origin: 'https://evil.example' },
      });
      expect(response.status).toBe(403);
    },
  );

  it('a session cookie from this site is accepted, and tokens are managed only by a person', async () => {
    const cookie = await signedInCookie();
    const created = await call(tokensRoute.POST, { method: 'POST', json: { name: 'CI' }, headers: { Cookie: cookie, Origin: SITE } });
    expect(created.status).toBe(201);
    const { token, id } = await created.json();
    const viaToken = await call(tokensRoute.GET, { headers: { Authorization: `Bearer ${token}` } });
    expect(viaToken.status).toBe(403);
    expect(
      (
        await call(postsRoute.POST, {
          method: 'POST',
          json: { title: 'By token', body: 'b' },
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(201);
    expect(
      (await call(tokenRoute.DELETE, { method: 'DELETE', params: { id: String(id) }, headers: { Cookie: cookie, Origin: SITE } })).status,
    ).toBe(204);
    expect(
      (await call(postsRoute.POST, { method: 'POST', json: { title: 'x', body: 'b' }, headers: { Authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(401);
  });
});

describe('sessions over HTTP', () => {
  it('sign-in sets an HttpOnly, SameSite, Secure-over-HTTPS cookie (and a readable hint that grants nothing); sign-out ends the session', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const response = await call(sessionRoute.POST, {
      method: 'POST',
      json: { email: 'ada@example.com', password: PASSWORD },
      headers: { Origin: SITE },
    });
    const [setCookie, hint] = response.headers.getSetCookie();
    expect(setCookie).toMatch(/^quire_session=[\w-]{43}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure$/);
    expect(hint).toBe('quire_signed_in=1; Path=/; Max-Age=2592000; SameSite=Lax; Secure');
    expect(await response.json()).toEqual({ user: { id: expect.any(Number), email: 'ada@example.com', name: 'Ada' } });
    const cookie = setCookie!.split(';')[0]!;
    // The hint alone is no session.
    expect((await call(sessionRoute.GET, { headers: { Cookie: 'quire_signed_in=1' } })).status).toBe(401);
    expect((await call(sessionRoute.GET, { headers: { Cookie: cookie } })).status).toBe(200);
    const out = await call(sessionRoute.DELETE, { method: 'DELETE', headers: { Cookie: cookie, Origin: SITE } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^quire_session=; Path=\/; Max-Age=0; HttpOnly/),
      expect.stringMatching(/^quire_signed_in=; Path=\/; Max-Age=0;/),
    ]);
    expect((await call(sessionRoute.GET, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('a wrong password is 401 with the field; the no-JavaScript form is redirected', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const wrong = await call(sessionRoute.POST, {
      method: 'POST',
      json: { email: 'ada@example.com', password: 'nope' },
      headers: { Origin: SITE },
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).errors[0].field).toBe('password');
    const form = await call(sessionRoute.POST, {
      method: 'POST',
      form: { email: 'ada@example.com', password: PASSWORD, next: '/admin/comments' },
      headers: { Origin: SITE },
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/admin/comments');
    const offsite = await call(sessionRoute.POST, {
      method: 'POST',
      form: { email: 'ada@example.com', password: PASSWORD, next: '//evil.example' },
      headers: { Origin: SITE },
    });
    expect(offsite.headers.get('location')).toBe('/admin');
  });

  it('first-run setup creates the author and signs them in', async () => {
    const { token } = (await prepareSetup())!;
    const body = { setupToken: token, name: 'Ada', email: 'ada@example.com', password: PASSWORD };
    const short = await call(setupRoute.POST, { method: 'POST', json: { ...body, password: 'short' }, headers: { Origin: SITE } });
    expect(short.status).toBe(400);
    const created = await call(setupRoute.POST, { method: 'POST', json: body, headers: { Origin: SITE } });
    expect(created.status).toBe(201);
    expect(created.headers.get('set-cookie')).toMatch(/^quire_session=/);
    expect((await call(setupRoute.POST, { method: 'POST', json: body, headers: { Origin: SITE } })).status).toBe(409);
  });
});

describe('posts: scheduling and tags', () => {
  it('a scheduled post stays hidden until its time, then appears without any job', async () => {
    const soon = new Date(Date.now() + 60 * 60_000).toISOString();
    const created = await call(postsRoute.POST, {
      method: 'POST',
      headers: ADMIN,
      json: { title: 'Later', body: 'b', status: 'scheduled', publishedAt: soon, tags: ['News', 'news', 'SQLite'] },
    });
    expect(created.status).toBe(201);
    const post = await created.json();
    expect(post).toMatchObject({
      status: 'scheduled',
      publishedAt: soon,
      tags: [
        { slug: 'news', name: 'News' },
        { slug: 'sqlite', name: 'SQLite' },
      ],
    });
    expect((await call(postRoute.GET, { params: { slug: post.slug } })).status).toBe(404);
    expect((await (await call(postsRoute.GET)).json()).data).toEqual([]);

    const past = new Date(Date.now() - 1000).toISOString();
    const updated = await (
      await call(postRoute.PATCH, { method: 'PATCH', params: { slug: post.slug }, headers: ADMIN, json: { publishedAt: past } })
    ).json();
    expect(updated.status).toBe('published');
    const live = await (await call(postRoute.GET, { params: { slug: post.slug } })).json();
    expect(live.tags.map((t: { slug: string }) => t.slug)).toEqual(['news', 'sqlite']);
  });

  it('refuses to schedule in the past', async () => {
    const response = await call(postsRoute.POST, {
      method: 'POST',
      headers: ADMIN,
      json: { title: 'x', body: 'b', status: 'scheduled', publishedAt: '2020-01-01T00:00:00Z' },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].field).toBe('publishedAt');
  });

  it('lists drafts for the author, searches their words, checks slugs and previews Markdown', async () => {
    await makePost({ title: 'Draft about SQLite', status: 'draft', slug: 'draft-sqlite' });
    await makePost({ title: '100% pure' });
    const list = await (await call(adminPostsRoute.GET, { path: '/api/admin/posts?q=sqlite', headers: ADMIN })).json();
    expect(list.data.map((p: { slug: string; status: string }) => [p.slug, p.status])).toEqual([['draft-sqlite', 'draft']]);
    // The search is over words: a % is no wildcard, and alone it finds nothing rather than everything.
    const percent = await (await call(adminPostsRoute.GET, { path: '/api/admin/posts?q=%25', headers: ADMIN })).json();
    expect(percent.data).toHaveLength(0);
    const hundred = await (await call(adminPostsRoute.GET, { path: '/api/admin/posts?q=100%25', headers: ADMIN })).json();
    expect(hundred.data.map((p: { title: string }) => p.title)).toEqual(['100% pure']);
    expect(await (await call(slugsRoute.GET, { path: '/api/admin/slugs?slug=draft-sqlite', headers: ADMIN })).json()).toEqual({
      slug: 'draft-sqlite',
      available: false,
    });
    expect((await (await call(slugsRoute.GET, { path: '/api/admin/slugs?slug=fresh', headers: ADMIN })).json()).available).toBe(true);
    // An id no post can have (PostgreSQL's ids are 32-bit) is a 400, not a database error.
    const huge = await call(slugsRoute.GET, { path: '/api/admin/slugs?slug=fresh&exceptId=9007199254740991', headers: ADMIN });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(await huge.json())).toContain('exceptId must be a post id.');
    const preview = await (
      await call(previewRoute.POST, { method: 'POST', headers: ADMIN, json: { body: '**hi** <script>x</script>' } })
    ).json();
    expect(preview.html).toBe('<p><strong>hi</strong> x</p>');
  });
});

describe('comment moderation', () => {
  const postComment = (slug: string, json: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(commentsRoute.POST, { method: 'POST', params: { slug }, json: { authorName: 'Reader', body: 'Hello', ...json }, headers });

  it('holds comments under hold_all; the author approves them from the queue', async () => {
    await updateCommentSettings({ moderation: 'hold_all' });
    const { slug } = await makePost();
    const held = await (await postComment(slug, {})).json();
    expect(held.status).toBe('pending');
    expect((await (await call(commentsRoute.GET, { params: { slug } })).json()).data).toEqual([]);
    const queue = await (await call(adminCommentsRoute.GET, { path: '/api/admin/comments?status=pending', headers: ADMIN })).json();
    expect(queue.data).toEqual([expect.objectContaining({ id: held.id, postSlug: slug, body: 'Hello', status: 'pending' })]);
    const approved = await call(commentRoute.PATCH, {
      method: 'PATCH',
      params: { id: String(held.id) },
      headers: ADMIN,
      json: { status: 'approved' },
    });
    expect((await approved.json()).status).toBe('approved');
    expect((await (await call(commentsRoute.GET, { params: { slug } })).json()).data).toHaveLength(1);
  });

  it('bulk actions change many comments at once', async () => {
    const { slug } = await makePost();
    const ids = [(await makeComment(slug)).id, (await makeComment(slug)).id, (await makeComment(slug)).id];
    const spam = await (
      await call(bulkRoute.POST, { method: 'POST', headers: ADMIN, json: { action: 'spam', ids: ids.slice(0, 2) } })
    ).json();
    expect(spam).toEqual({
      action: 'spam',
      changed: 2,
      previous: ids.slice(0, 2).map((id) => ({ id, status: 'approved' })),
    });
    expect(await statusesOf(ids)).toEqual(['spam', 'spam', 'approved']);
    await call(bulkRoute.POST, { method: 'POST', headers: ADMIN, json: { action: 'delete', ids } });
    expect(await statusesOf(ids)).toEqual([undefined, undefined, undefined]);
    expect((await call(bulkRoute.POST, { method: 'POST', headers: ADMIN, json: { action: 'nuke', ids: [] } })).status).toBe(400);
  });

  it('stores a honeypot comment as spam while answering like a held comment', async () => {
    const { slug } = await makePost();
    const response = await postComment(slug, { website: 'http://spam.example' });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body.status).toBe('pending');
    expect(await statusOf(body.id)).toBe('spam');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('treats a form submitted too fast as spam', async () => {
    await updateCommentSettings({ minSubmitSeconds: 3 });
    const { slug } = await makePost();
    const fast = await (await postComment(slug, { formToken: await issueFormToken(Date.now() - 500) })).json();
    expect(await statusOf(fast.id)).toBe('spam');
    const human = await (await postComment(slug, { formToken: await issueFormToken(Date.now() - 10_000) })).json();
    expect(await statusOf(human.id)).toBe('approved');
  });

  it('answers a flood from one address with 429 and Retry-After', async () => {
    await updateCommentSettings({ commentRateLimit: { max: 2, windowSeconds: 60 } });
    const { slug } = await makePost();
    const from = (ip: string) => postComment(slug, {}, { 'X-Quire-Client-Address': ip });
    expect((await from('203.0.113.5')).status).toBe(201);
    expect((await from('203.0.113.5')).status).toBe(201);
    const third = await from('203.0.113.5');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('203.0.113.6')).status).toBe(201);
  });

  it('routes links and blocklisted words to the queue', async () => {
    await updateCommentSettings({ blocklist: ['casino'] });
    const { slug } = await makePost();
    const links = await (await postComment(slug, { body: 'https://a.example https://b.example https://c.example' })).json();
    expect(links.status).toBe('pending');
    const blocked = await (await postComment(slug, { body: 'Visit my Casino' })).json();
    expect(blocked.status).toBe('pending');
  });

  it('closes comments per post and site-wide', async () => {
    const { slug } = await makePost({ commentsEnabled: false });
    expect((await postComment(slug, {})).status).toBe(403);
    const open = await makePost();
    await updateCommentSettings({ commentsEnabled: false });
    expect((await postComment(open.slug, {})).status).toBe(403);
  });

  it('marks the signed-in author’s reply, which may answer a held comment', async () => {
    await updateCommentSettings({ moderation: 'hold_all' });
    const cookie = await signedInCookie();
    const { slug } = await makePost();
    const held = await (await postComment(slug, {})).json();
    const reply = await postComment(slug, { authorName: 'Whoever', parentId: held.id }, { Cookie: cookie, Origin: SITE });
    expect(reply.status).toBe(201);
    expect(await reply.json()).toMatchObject({ authorName: 'Ada', byAuthor: true, status: 'approved', parentId: held.id });
  });

  it('lets a reader edit and delete their own comment within the window, and nobody else’s', async () => {
    const { slug } = await makePost();
    const posted = await postComment(slug, { body: 'Tpyo' });
    const { id } = await posted.json();
    const grant = posted.headers.get('set-cookie')!;
    expect(grant).toMatch(/^quire_comments=.+; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax/);
    const cookie = grant.split(';')[0]!;
    const same = { Cookie: cookie, Origin: SITE };

    const edited = await call(commentRoute.PATCH, {
      method: 'PATCH',
      params: { id: String(id) },
      headers: same,
      json: { body: 'Typo fixed' },
    });
    expect(edited.status).toBe(200);
    expect((await edited.json()).html).toBe('<p>Typo fixed</p>');
    expect(
      (await call(commentRoute.PATCH, { method: 'PATCH', params: { id: String(id) }, headers: same, json: { status: 'approved' } })).status,
    ).toBe(403);

    const other = await makeComment(slug);
    expect(
      (await call(commentRoute.PATCH, { method: 'PATCH', params: { id: String(other.id) }, headers: same, json: { body: 'hijack' } }))
        .status,
    ).toBe(401);
    expect(
      (
        await call(commentRoute.DELETE, {
          method: 'DELETE',
          params: { id: String(id) },
          headers: { Cookie: cookie, Origin: 'https://evil.example' },
        })
      ).status,
    ).toBe(403);

    await setCreatedAt(id, new Date(Date.now() - 16 * 60_000).toISOString());
    expect(
      (await call(commentRoute.PATCH, { method: 'PATCH', params: { id: String(id) }, headers: same, json: { body: 'late' } })).status,
    ).toBe(403);
    await setCreatedAt(id, new Date().toISOString());
    expect((await call(commentRoute.DELETE, { method: 'DELETE', params: { id: String(id) }, headers: same })).status).toBe(204);
    expect(await statusOf(id)).toBeUndefined();
  });

  it('keeps replies when their parent is deleted', async () => {
    const { slug } = await makePost();
    const parent = await makeComment(slug);
    const reply = await makeComment(slug, { parentId: parent.id });
    await call(commentRoute.DELETE, { method: 'DELETE', params: { id: String(parent.id) }, headers: ADMIN });
    expect(await getDb().select({ parentId: comments.parentId }).from(comments).where(eq(comments.id, reply.id))).toEqual([
      { parentId: null },
    ]);
  });

  it('settings are validated and saved', async () => {
    const bad = await call(settingsRoute.PATCH, { method: 'PATCH', headers: ADMIN, json: { moderation: 'sometimes', maxLinks: -1 } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual(['maxLinks', 'moderation']);
    const saved = await (
      await call(settingsRoute.PATCH, { method: 'PATCH', headers: ADMIN, json: { moderation: 'hold_first_time' } })
    ).json();
    expect(saved.moderation).toBe('hold_first_time');
    expect((await (await call(settingsRoute.GET, { headers: ADMIN })).json()).moderation).toBe('hold_first_time');
    // A partial update leaves every other setting as it was (the beforeEach set these two).
    const after = await (await call(settingsRoute.PATCH, { method: 'PATCH', headers: ADMIN, json: { maxLinks: 7 } })).json();
    expect(after).toMatchObject({
      maxLinks: 7,
      moderation: 'hold_first_time',
      minSubmitSeconds: 0,
      commentRateLimit: { max: 1000, windowSeconds: 60 },
    });
  });
});
