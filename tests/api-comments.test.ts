import { beforeEach, describe, expect, it } from 'vitest';
import * as adminCommentsRoute from '@/app/api/admin/comments/route';
import * as commentRoute from '@/app/api/comments/[id]/route';
import * as sessionRoute from '@/app/api/session/route';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import { count, desc, eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { comments } from '@/db/schema';
import { ADMIN, call, makeComment, makePost, resetDatabase } from './helpers';

beforeEach(resetDatabase);

const post = (slug: string, json: unknown) => call(commentsRoute.POST, { method: 'POST', params: { slug }, json });
const postForm = (slug: string, form: Record<string, string>) => call(commentsRoute.POST, { method: 'POST', params: { slug }, form });
const storedComments = async () => (await getDb().select({ n: count() }).from(comments))[0]!.n;

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { errors?: { field: string; message: string }[] };
}

describe('POST /api/posts/{slug}/comments (JSON)', () => {
  it('creates an approved comment: 201, Location, sanitised HTML, no email in the answer', async () => {
    const { slug } = await makePost();
    const response = await post(slug, { authorName: '  Ada ', body: 'Hello *there* <script>x</script>', authorEmail: 'ada@example.com' });
    expect(response.status).toBe(201);
    const comment = await response.json();
    expect(response.headers.get('location')).toBe(`/api/comments/${comment.id}`);
    expect(comment).toEqual({
      id: expect.any(Number),
      parentId: null,
      authorName: 'Ada',
      byAuthor: false,
      html: '<p>Hello <em>there</em> x</p>',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      status: 'approved',
    });
    expect(JSON.stringify(comment)).not.toContain('ada@example.com');
  });

  it('accepts a reply to a comment of the same post', async () => {
    const { slug } = await makePost();
    const parent = await makeComment(slug);
    const reply = await (await post(slug, { authorName: 'Bo', body: 'Agreed', parentId: parent.id })).json();
    expect(reply.parentId).toBe(parent.id);
  });

  it('refuses a reply to a comment of another post, and to a missing comment', async () => {
    const a = await makePost();
    const b = await makePost();
    const other = await makeComment(b.slug);
    const cross = await problemOf(await post(a.slug, { authorName: 'Bo', body: 'x', parentId: other.id }), 400);
    expect(cross.errors).toEqual([{ field: 'parentId', message: 'A reply must belong to the same post as the comment it answers.' }]);
    const missing = await problemOf(await post(a.slug, { authorName: 'Bo', body: 'x', parentId: 999999 }), 400);
    expect(missing.errors?.[0]?.field).toBe('parentId');
    expect(await storedComments()).toBe(1);
  });

  it.each([
    ['a blank name', { authorName: '   ', body: 'x' }, ['authorName']],
    ['a name over 80 characters', { authorName: 'a'.repeat(81), body: 'x' }, ['authorName']],
    ['a whitespace-only body', { authorName: 'Ada', body: '\n\t  ' }, ['body']],
    ['a body over 5,000 characters', { authorName: 'Ada', body: 'x'.repeat(5001) }, ['body']],
    ['a bad email', { authorName: 'Ada', body: 'x', authorEmail: 'not-an-email' }, ['authorEmail']],
    ['a negative parentId', { authorName: 'Ada', body: 'x', parentId: -3 }, ['parentId']],
    ['an empty object', {}, ['authorName', 'body']],
    ['wrong types', { authorName: ['Ada'], body: { text: 'x' } }, ['authorName', 'body']],
  ])('rejects %s', async (_label, json, fields) => {
    const { slug } = await makePost();
    const problem = await problemOf(await post(slug, json), 400);
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(fields);
    expect(await storedComments()).toBe(0);
  });

  it('accepts exactly the limits', async () => {
    const { slug } = await makePost();
    expect((await post(slug, { authorName: 'a'.repeat(80), body: 'b'.repeat(5000) })).status).toBe(201);
  });

  it('answers 404 for drafts and unknown posts', async () => {
    const draft = await makePost({ status: 'draft' });
    await problemOf(await post(draft.slug, { authorName: 'A', body: 'b' }), 404);
    await problemOf(await post('nope', { authorName: 'A', body: 'b' }), 404);
    expect(await storedComments()).toBe(0);
  });

  it('answers 415 and 400 for unusable bodies', async () => {
    const { slug } = await makePost();
    await problemOf(
      await call(commentsRoute.POST, { method: 'POST', params: { slug }, body: 'x', headers: { 'Content-Type': 'text/plain' } }),
      415,
    );
    await problemOf(
      await call(commentsRoute.POST, { method: 'POST', params: { slug }, body: '{', headers: { 'Content-Type': 'application/json' } }),
      400,
    );
    await problemOf(
      await call(commentsRoute.POST, {
        method: 'POST',
        params: { slug },
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
    );
  });

  it('strips NUL and control characters', async () => {
    const { slug } = await makePost();
    const comment = await (await post(slug, { authorName: 'A\u0000da\u0007', body: 'x\u0000y' })).json();
    expect(comment.authorName).toBe('Ada');
    expect(comment.html).toBe('<p>xy</p>');
  });
});

describe('POST /api/posts/{slug}/comments (HTML form, no JavaScript)', () => {
  it('redirects with 303 to the new comment on the post page', async () => {
    const { slug } = await makePost();
    const response = await postForm(slug, { authorName: 'Ada', authorEmail: '', body: 'From a form', parentId: '' });
    expect(response.status).toBe(303);
    const [stored] = await getDb().select({ id: comments.id }).from(comments);
    expect(response.headers.get('location')).toBe(`/posts/${slug}#comment-${stored!.id}`);
  });

  it('takes parentId from the form as text', async () => {
    const { slug } = await makePost();
    const parent = await makeComment(slug);
    expect((await postForm(slug, { authorName: 'Ada', body: 'Reply', parentId: String(parent.id) })).status).toBe(303);
    const [latest] = await getDb().select({ parentId: comments.parentId }).from(comments).orderBy(desc(comments.id)).limit(1);
    expect(latest).toEqual({ parentId: parent.id });
  });

  it('sends invalid fields back to the form', async () => {
    const { slug } = await makePost();
    const response = await postForm(slug, { authorName: ' ', body: '' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/posts/${slug}?invalid=authorName%2Cbody#comment-form`);
    expect(await storedComments()).toBe(0);
  });
});

describe('GET /api/posts/{slug}/comments', () => {
  it('lists approved comments oldest first, with keyset pages', async () => {
    const { slug } = await makePost();
    const made: { id: number }[] = [];
    for (const n of [1, 2, 3, 4, 5]) made.push(await makeComment(slug, { body: `c${n}` }));
    await transaction((tx) => tx.update(comments).set({ status: 'spam' }).where(eq(comments.id, made[2]!.id)));
    const first = await (await call(commentsRoute.GET, { params: { slug }, path: '/x?limit=2' })).json();
    expect(first.data.map((c: { html: string }) => c.html)).toEqual(['<p>c1</p>', '<p>c2</p>']);
    expect(Object.keys(first.data[0]).sort()).toEqual(['authorName', 'byAuthor', 'createdAt', 'html', 'id', 'parentId']);
    const second = await (await call(commentsRoute.GET, { params: { slug }, path: `/x?limit=2&cursor=${first.nextCursor}` })).json();
    expect(second.data.map((c: { html: string }) => c.html)).toEqual(['<p>c4</p>', '<p>c5</p>']);
    expect(second.nextCursor).toBeNull();
  });

  it('answers 404 for a draft', async () => {
    const draft = await makePost({ status: 'draft' });
    await problemOf(await call(commentsRoute.GET, { params: { slug: draft.slug } }), 404);
  });
});

describe('GET /api/comments/{id}', () => {
  it('returns an approved comment and 404 otherwise', async () => {
    const { slug } = await makePost();
    const comment = await makeComment(slug);
    const response = await call(commentRoute.GET, { params: { id: String(comment.id) } });
    expect(await response.json()).toEqual({
      id: comment.id,
      parentId: null,
      authorName: 'Reader',
      byAuthor: false,
      html: '<p>A thoughtful comment.</p>',
      createdAt: comment.createdAt,
    });
    await transaction((tx) => tx.update(comments).set({ status: 'pending' }).where(eq(comments.id, comment.id)));
    for (const id of [String(comment.id), '0', 'abc', '1e3', '99999999999999999999']) {
      await problemOf(await call(commentRoute.GET, { params: { id } }), 404);
    }
  });

  it('answers other methods with 405 and Allow', async () => {
    const response = await call(commentRoute.PUT, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH');
  });
});

// Found by the fuzz test on PostgreSQL, where an id past 32 bits or a NUL in text is an error of the
// database itself (a 500) instead of a value that names nothing.
describe('values no row can hold', () => {
  const TOO_BIG = String(2 ** 31);

  it('answers an id past the largest one with a 404', async () => {
    for (const id of [TOO_BIG, '9007199254740993']) {
      const response = await call(commentRoute.GET, { path: `/api/comments/${id}`, params: { id } });
      await problemOf(response, 404);
    }
  });

  it('refuses a parent id or a cursor past the largest id as a field error', async () => {
    const { slug } = await makePost();
    const reply = await post(slug, { authorName: 'A', body: 'Reply', parentId: 2 ** 31 });
    expect((await problemOf(reply, 400)).errors?.[0]?.field).toBe('parentId');
    const cursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 2 ** 31])).toString('base64url');
    const page = await call(commentsRoute.GET, { path: `/api/posts/${slug}/comments?cursor=${cursor}`, params: { slug } });
    expect((await problemOf(page, 400)).errors?.[0]?.field).toBe('cursor');
  });

  it('reads a NUL in a body as nothing, in fields that are not cleaned as text too', async () => {
    const response = await call(sessionRoute.POST, {
      method: 'POST',
      headers: { Origin: 'https://blog.example.test' },
      json: { email: 'ada\u0000@example.com', password: 'pass\u0000word' },
    });
    expect(response.status).toBeLessThan(500);
  });

  it('reads a NUL in the query string as nothing', async () => {
    const { slug } = await makePost();
    await makeComment(slug);
    const response = await call(adminCommentsRoute.GET, { path: '/api/admin/comments?post=%00&q=%00', headers: ADMIN });
    expect(response.status).toBe(200);
  });
});
