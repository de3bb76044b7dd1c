import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as postsRoute from '@/app/api/posts/route';
import * as postRoute from '@/app/api/posts/[slug]/route';
import * as previewRoute from '@/app/api/admin/preview/route';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as sessionRoute from '@/app/api/session/route';
import * as searchRoute from '@/app/api/search/route';
import { POST_BODY_MAX_BYTES } from '@/lib/content/schemas';
import { ADMIN, call, makePost, resetDatabase } from './helpers';
import { lastSection, longPost } from './fixtures/long-post';

/*
 * Issue 24, item 1: a post of about 14,000 words could not be saved (every JSON body was capped at
 * 64 KiB). A post's text may now be POST_MAX_BYTES (1 MiB by default) on every endpoint that
 * carries it; every other body keeps 64 KiB.
 */

beforeEach(resetDatabase);

const MIB = 1024 * 1024;
const SLOW = { timeout: 120_000 };

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { detail: string; errors?: { field: string; message: string }[] };
}

const createPost = (json: unknown) => call(postsRoute.POST, { method: 'POST', path: '/api/posts', json, headers: ADMIN });
const raw = (handler: typeof postsRoute.POST, body: BodyInit, params = {}) =>
  call(handler, { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body, params });

describe('a long post (issue 24, item 1)', () => {
  it('defaults to 1 MiB of Markdown', () => {
    expect(POST_BODY_MAX_BYTES).toBe(MIB);
  });

  it('of about 14,000 words (88 KB) is created, changed, previewed and published whole', SLOW, async () => {
    const body = longPost(88 * 1024);
    expect(Buffer.byteLength(body)).toBeGreaterThan(88 * 1024);
    const created = await createPost({ title: 'A long read', body, status: 'published' });
    expect(created.status).toBe(201);
    const post = await created.json();
    expect(post.wordCount).toBeGreaterThan(14_000);
    expect(post.body).toBe(body);
    expect(post.html).toContain(`>${lastSection(body)}</h2>`);

    const longer = `${body}\n\n## The end\n\nThe last words.`;
    const changed = await call(postRoute.PATCH, { method: 'PATCH', params: { slug: post.slug }, json: { body: longer }, headers: ADMIN });
    expect(changed.status).toBe(200);
    const published = await (await call(postRoute.GET, { params: { slug: post.slug } })).json();
    expect(published.html).toContain('The last words.');

    const preview = await call(previewRoute.POST, { method: 'POST', json: { body: longer }, headers: ADMIN });
    expect(preview.status).toBe(200);
    expect((await preview.json()).html).toContain('The last words.');
  });

  it('of 1 MiB, the limit, is saved however its client escapes the JSON', SLOW, async () => {
    // An emoji is four bytes of UTF-8 and twelve of JSON from a client that escapes all but ASCII.
    const emoji = '\u{1F600}';
    const text = emoji.repeat(POST_BODY_MAX_BYTES / 4);
    const escaped = `{"title":"Faces","body":"${'\\ud83d\\ude00'.repeat(POST_BODY_MAX_BYTES / 4)}"}`;
    expect(escaped.length).toBeGreaterThan(3 * MIB);
    const response = await raw(postsRoute.POST, escaped);
    expect(response.status).toBe(201);
    expect((await response.json()).body).toBe(text);
  });

  it('of 1 MiB of distinct words is saved and found (PostgreSQL: more than a tsvector holds)', SLOW, async () => {
    const words: string[] = [];
    for (let i = 0, size = 0; size < POST_BODY_MAX_BYTES - 20; i++) {
      words.push(`w${i.toString(36)}x${(i * 7919).toString(36)}`);
      size += words.at(-1)!.length + 1;
    }
    const response = await createPost({ title: 'Distinct', body: words.join(' '), status: 'published' });
    expect(response.status).toBe(201);
    const found = await (await call(searchRoute.GET, { path: `/api/search?q=${words[1]}` })).json();
    expect(found.data.map((post: { title: string }) => post.title)).toEqual(['Distinct']);
  });

  it('over the limit is refused with a 400 naming body and both sizes, counted in bytes', async () => {
    const post = await makePost();
    // Fewer characters than the limit, more bytes: the limit is in bytes of UTF-8.
    const accented = 'é'.repeat(POST_BODY_MAX_BYTES / 2 + 1);
    const ascii = 'a'.repeat(POST_BODY_MAX_BYTES + 1);
    for (const [response, over] of [
      [await createPost({ title: 'Too long', body: accented }), '2 bytes'],
      [await call(postRoute.PATCH, { method: 'PATCH', params: { slug: post.slug }, json: { body: ascii }, headers: ADMIN }), '1 byte'],
      [await call(previewRoute.POST, { method: 'POST', json: { body: ascii }, headers: ADMIN }), '1 byte'],
      [await createPost({ title: 'Too long', body: 'a'.repeat(1.5 * MIB) }), '512 KiB'],
    ] as const) {
      const problem = await problemOf(response, 400);
      expect(problem.errors).toEqual([
        { field: 'body', message: `Body is ${over} over its limit of 1 MiB; shorten it or split it into two posts.` },
      ]);
    }
  });

  it('answers 413 problem+json for a request over the limit of what carries a post, declared or streamed', async () => {
    const post = await makePost();
    const huge = JSON.stringify({ title: 't', body: 'x'.repeat(3.2 * MIB) });
    const problem = await problemOf(await raw(postsRoute.POST, huge), 413);
    expect(problem.detail).toBe('The request body must be at most 3.06 MiB.');
    const streamed = () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(huge));
          controller.close();
        },
      });
    await problemOf(await raw(postsRoute.POST, streamed()), 413);
    await problemOf(await raw(postRoute.PATCH, streamed(), { slug: post.slug }), 413);
    await problemOf(await raw(previewRoute.POST, streamed()), 413);
  });

  it('leaves every other body at 64 KiB: comments and sign-in', async () => {
    const post = await makePost();
    const comment = await call(commentsRoute.POST, {
      method: 'POST',
      params: { slug: post.slug },
      json: { authorName: 'Reader', body: 'x'.repeat(70_000) },
    });
    expect((await problemOf(comment, 413)).detail).toBe('The request body must be at most 64 KiB.');
    const signIn = await call(sessionRoute.POST, {
      method: 'POST',
      json: { email: 'a@example.com', password: 'x'.repeat(70_000) },
      headers: { Origin: 'https://blog.example.test' },
    });
    expect((await problemOf(signIn, 413)).detail).toBe('The request body must be at most 64 KiB.');
  });
});

describe('POST_MAX_BYTES', () => {
  it('is one setting: the schemas, the request limit and the API document follow it', async () => {
    const before = process.env.POST_MAX_BYTES;
    try {
      process.env.POST_MAX_BYTES = String(200 * 1024);
      vi.resetModules();
      const { postCreateSchema, POST_BODY_MAX_BYTES: limit } = await import('@/lib/content/schemas');
      const { postsEndpoint, postEndpoint, previewEndpoint } = await import('@/lib/api/endpoints/content');
      const { buildOpenApiDocument } = await import('@/lib/api/openapi');
      expect(limit).toBe(200 * 1024);
      expect(postCreateSchema.safeParse({ title: 't', body: 'a'.repeat(200 * 1024) }).success).toBe(true);
      const refused = postCreateSchema.safeParse({ title: 't', body: 'a'.repeat(200 * 1024 + 1) });
      expect(refused.error?.issues.map((issue) => issue.message)).toEqual([
        'Body is 1 byte over its limit of 200 KiB; shorten it or split it into two posts.',
      ]);
      for (const operation of [postsEndpoint.operations.POST, postEndpoint.operations.PATCH, previewEndpoint.operations.POST]) {
        expect(operation?.bodyLimit).toBe(64 * 1024 + 3 * 200 * 1024);
      }
      const document = JSON.stringify(buildOpenApiDocument([postsEndpoint]));
      expect(document).toContain(
        '"body":{"type":"string","description":"Markdown, at most 200 KiB (204,800 bytes) of UTF-8","minLength":1,"maxLength":204800}',
      );
      expect(document).toContain('Body over 664 KiB');

      for (const value of ['1000', '9000000', '1.5', 'lots']) {
        process.env.POST_MAX_BYTES = value;
        vi.resetModules();
        const { getEnv } = await import('@/lib/env');
        expect(() => getEnv(), value).toThrow(/POST_MAX_BYTES: must be a whole number of bytes from 65536 \(64 KiB\) to 8388608 \(8 MiB\)/);
      }
    } finally {
      if (before === undefined) delete process.env.POST_MAX_BYTES;
      else process.env.POST_MAX_BYTES = before;
      vi.resetModules();
    }
  });
});
