import { beforeEach, describe, expect, it } from 'vitest';
import * as postsRoute from '@/app/api/posts/route';
import * as postRoute from '@/app/api/posts/[slug]/route';
import { POST_BODY_MAX_BYTES } from '@/lib/content/schemas';
import { ADMIN, call, makeComment, makePost, resetDatabase } from './helpers';

beforeEach(resetDatabase);

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = await response.json();
  expect(problem).toMatchObject({
    status,
    type: expect.stringMatching(/^\/problems\//),
    title: expect.any(String),
    detail: expect.any(String),
  });
  return problem as { errors?: { field: string; message: string }[]; detail: string };
}

const createPost = (json: unknown, headers: Record<string, string> = ADMIN) =>
  call(postsRoute.POST, { method: 'POST', path: '/api/posts', json, headers });

describe('GET /api/posts', () => {
  it('lists published posts newest first with the documented fields', async () => {
    const old = await makePost({ publishedAt: '2026-01-01T00:00:00.000Z' });
    const recent = await makePost({ publishedAt: '2026-06-01T00:00:00.000Z' });
    await makeComment(recent.slug);
    await makePost({ status: 'draft' });
    const response = await call(postsRoute.GET, { path: '/api/posts' });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.nextCursor).toBeNull();
    expect(body.data.map((p: { slug: string }) => p.slug)).toEqual([recent.slug, old.slug]);
    expect(body.data[0]).toEqual({
      id: recent.id,
      slug: recent.slug,
      title: recent.title,
      summary: recent.summary,
      publishedAt: '2026-06-01T00:00:00.000Z',
      updatedAt: recent.updatedAt,
      commentCount: 1,
      tags: [],
      url: `https://blog.example.test/posts/${recent.slug}`,
    });
  });

  it('pages through every post exactly once, even with equal publish times', async () => {
    const sameTime = '2026-03-03T03:03:03.000Z';
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await makePost({ publishedAt: i % 2 ? sameTime : `2026-0${i + 1}-01T00:00:00.000Z` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/api/posts?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const body: { data: { slug: string }[]; nextCursor: string | null } = await (await call(postsRoute.GET, { path })).json();
      seen.push(...body.data.map((p) => p.slug));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual(made.map((p) => p.slug).sort());
  });

  it.each(['0', '101', 'abc', '2.5', '-1'])('rejects limit=%s', async (limit) => {
    const problem = await expectProblem(await call(postsRoute.GET, { path: `/api/posts?limit=${limit}` }), 400);
    expect(problem.errors).toEqual([{ field: 'limit', message: 'limit must be a whole number from 1 to 100.' }]);
  });

  it('treats an empty limit as the default', async () => {
    await makePost();
    expect((await call(postsRoute.GET, { path: '/api/posts?limit=&cursor=' })).status).toBe(200);
  });

  it('rejects a forged cursor', async () => {
    const problem = await expectProblem(await call(postsRoute.GET, { path: '/api/posts?cursor=abc' }), 400);
    expect(problem.errors?.[0]?.field).toBe('cursor');
  });
});

describe('GET /api/posts/{slug}', () => {
  it('returns a published post with its HTML', async () => {
    const post = await makePost({ body: '# Hi\n\n<script>alert(1)</script>' });
    const response = await call(postRoute.GET, { params: { slug: post.slug } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ slug: post.slug, html: '<h1>Hi</h1>', commentCount: 0 });
    expect(body).not.toHaveProperty('body');
    expect(body).not.toHaveProperty('status');
  });

  it('answers 404 for drafts and unknown slugs', async () => {
    const draft = await makePost({ status: 'draft' });
    await expectProblem(await call(postRoute.GET, { params: { slug: draft.slug } }), 404);
    await expectProblem(await call(postRoute.GET, { params: { slug: 'no-such-post' } }), 404);
    // Not a slug at all (too long, or characters a slug never has): 404 before any query or cache entry.
    await expectProblem(await call(postRoute.GET, { params: { slug: 'a'.repeat(300) } }), 404);
    await expectProblem(await call(postRoute.GET, { params: { slug: 'Ünïcode post' } }), 404);
  });
});

describe('POST /api/posts', () => {
  it('creates a post: 201, Location, derived slug, rendered HTML', async () => {
    const response = await createPost({ title: 'Hello, World!', body: 'Some **bold** text.', status: 'published' });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/api/posts/hello-world');
    const post = await response.json();
    expect(post).toMatchObject({
      slug: 'hello-world',
      status: 'published',
      html: '<p>Some <strong>bold</strong> text.</p>',
      summary: 'Some bold text.',
      commentCount: 0,
    });
    expect(new Date(post.publishedAt).getTime()).toBeGreaterThan(Date.now() - 10_000);
    expect((await call(postRoute.GET, { params: { slug: 'hello-world' } })).status).toBe(200);
  });

  it('defaults to a draft and derives unique slugs from repeated titles', async () => {
    const first = await (await createPost({ title: 'Same title', body: 'x' })).json();
    const second = await (await createPost({ title: 'Same title', body: 'y' })).json();
    expect(first).toMatchObject({ slug: 'same-title', status: 'draft', publishedAt: null });
    expect(second.slug).toBe('same-title-2');
  });

  it('answers 409 for an explicit slug that is taken', async () => {
    await makePost({ slug: 'taken' });
    const problem = await expectProblem(await createPost({ title: 'Other', slug: 'taken', body: 'x' }), 409);
    expect(problem.errors).toEqual([{ field: 'slug', message: 'This slug is already used by another post.' }]);
  });

  it('requires the admin token', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: 'Bearer wrong-token-wrong-token' },
      { Authorization: 'Basic abc' },
      { Authorization: 'Bearer' },
    ]) {
      const response = await createPost({ title: 't', body: 'b' }, headers);
      await expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('lists every invalid field', async () => {
    const problem = await expectProblem(
      await createPost({ title: '   ', body: 'x'.repeat(POST_BODY_MAX_BYTES + 1), status: 'live', extra: 1 }),
      400,
    );
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['body', 'extra', 'status', 'title']);
    expect(problem.errors).toContainEqual({ field: 'title', message: 'Title is required.' });
  });

  it.each([
    [{ title: 'x'.repeat(201), body: 'b' }, 'title'],
    [{ title: 't' }, 'body'],
    [{ title: 't', body: 'b', slug: 'Not A Slug!' }, 'slug'],
    [{ title: 't', body: 'b', publishedAt: 'yesterday' }, 'publishedAt'],
    [{ title: 42, body: 'b' }, 'title'],
  ])('rejects %j on %s', async (json, field) => {
    const problem = await expectProblem(await createPost(json), 400);
    expect(problem.errors?.map((e) => e.field)).toEqual([field]);
  });

  it('answers 400 for malformed JSON and non-object bodies', async () => {
    await expectProblem(
      await call(postsRoute.POST, { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: '{"title":' }),
      400,
    );
    await expectProblem(await createPost([1, 2]), 400);
    await expectProblem(await createPost(null), 400);
  });

  it('answers 415 for other content types', async () => {
    const response = await call(postsRoute.POST, { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'text/plain' }, body: 'hi' });
    await expectProblem(response, 415);
    expect(response.headers.get('accept-post')).toBe('application/json');
  });
  // A post's own request limit and its 413: tests/long-posts.test.ts.
});

describe('PATCH /api/posts/{slug}', () => {
  const patch = (slug: string, json: unknown, headers: Record<string, string> = ADMIN) =>
    call(postRoute.PATCH, { method: 'PATCH', params: { slug }, json, headers });

  it('updates only the given fields and re-renders the body', async () => {
    const post = await makePost({ title: 'Before', summary: 'Keep me' });
    const response = await patch(post.slug, { title: 'After', body: '_new_' });
    expect(response.status).toBe(200);
    const updated = await response.json();
    expect(updated).toMatchObject({ title: 'After', summary: 'Keep me', html: '<p><em>new</em></p>', slug: post.slug });
    expect(updated.updatedAt >= post.updatedAt).toBe(true);
  });

  it('publishes a draft with the current time and unpublishes it again', async () => {
    const draft = await makePost({ status: 'draft' });
    const published = await (await patch(draft.slug, { status: 'published' })).json();
    expect(published.publishedAt).not.toBeNull();
    expect((await call(postRoute.GET, { params: { slug: draft.slug } })).status).toBe(200);
    await patch(draft.slug, { status: 'draft' });
    expect((await call(postRoute.GET, { params: { slug: draft.slug } })).status).toBe(404);
  });

  it('renames the slug, refusing one that is taken', async () => {
    const a = await makePost();
    const b = await makePost();
    await expectProblem(await patch(a.slug, { slug: b.slug }), 409);
    expect((await patch(a.slug, { slug: 'renamed' })).status).toBe(200);
    expect((await call(postRoute.GET, { params: { slug: 'renamed' } })).status).toBe(200);
  });

  it('answers 404, 401 and 400 where it should', async () => {
    const post = await makePost();
    await expectProblem(await patch('missing', { title: 'x' }), 404);
    await expectProblem(await patch(post.slug, { title: 'x' }, {}), 401);
    await expectProblem(await patch(post.slug, {}), 400);
    await expectProblem(await patch(post.slug, { title: '' }), 400);
  });
});

describe('DELETE /api/posts/{slug}', () => {
  it('deletes with 204, then 404', async () => {
    const post = await makePost();
    const del = () => call(postRoute.DELETE, { method: 'DELETE', params: { slug: post.slug }, headers: ADMIN });
    const response = await del();
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectProblem(await del(), 404);
    await expectProblem(await call(postRoute.DELETE, { method: 'DELETE', params: { slug: post.slug } }), 401);
  });
});

describe('unsupported methods', () => {
  it.each([
    [postsRoute.PUT, 'GET, HEAD, OPTIONS, POST'],
    [postsRoute.DELETE, 'GET, HEAD, OPTIONS, POST'],
    [postRoute.POST, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    [postRoute.PUT, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
  ])('answer 405 with Allow: %s', async (handler, allow) => {
    const response = await call(handler, { method: 'PUT' });
    await expectProblem(response, 405);
    expect(response.headers.get('allow')).toBe(allow);
  });

  it.each([
    [postsRoute, 'GET, HEAD, OPTIONS, POST'],
    [postRoute, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
  ])('answer OPTIONS with 204 and the same Allow: %s', async (module, allow) => {
    const response = await call(module.OPTIONS, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe(allow);
  });
});
