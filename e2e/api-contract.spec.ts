import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { createAuthor } from './accounts';
import { AUTHOR, expect, test } from './fixtures';

// Both packages are CommonJS with `exports.default`; under ESM the class is on `.default`.
const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module }).default ?? Ajv2020Module;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

/*
 * The contract test: every endpoint is called over HTTP against the production server, and each
 * answer (status, content type and body) must be one the OpenAPI document describes.
 */

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> }>>;
  components: object;
}

test('every endpoint answers as /api/openapi.json documents', async ({ request, api, playwright, baseURL, unique }) => {
  const docResponse = await request.get('/api/openapi.json');
  expect(docResponse.status()).toBe(200);
  const doc = (await docResponse.json()) as Doc & { openapi: string };
  expect(doc.openapi).toBe('3.1.0');

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://quire.test/openapi.json', components: doc.components });
  const checked: string[] = [];
  // Made by a command that takes seconds to start, so it runs while the other endpoints are checked.
  const accountMade = createAuthor(unique);

  /** Calls one endpoint and checks the answer against the document. */
  async function check(
    client: APIRequestContext,
    method: string,
    template: string,
    path: string,
    expected: number,
    options: Parameters<APIRequestContext['fetch']>[1] = {},
  ) {
    const response: APIResponse = await client.fetch(path, { method, ...options });
    const label = `${method} ${path}`;
    expect(response.status(), label).toBe(expected);
    const operation = doc.paths[template]?.[method.toLowerCase()];
    expect(operation, `${method} ${template} is documented`).toBeDefined();
    const documented = operation!.responses[String(expected)];
    expect(documented, `${label} answering ${expected} is documented`).toBeDefined();
    if (documented!.content) {
      const [contentType, { schema }] = Object.entries(documented!.content)[0]!;
      expect(response.headers()['content-type'], label).toContain(contentType);
      const validate = ajv.compile({ $ref: schema.$ref.replace('#', 'https://quire.test/openapi.json#') });
      const body = await response.json();
      expect(validate(body) ? [] : validate.errors, `${label} body matches ${schema.$ref}`).toEqual([]);
      checked.push(`${method} ${template} ${expected}`);
      return body;
    }
    checked.push(`${method} ${template} ${expected}`);
    return undefined;
  }

  await check(request, 'GET', '/api/openapi.json', '/api/openapi.json', 200);

  // Readers.
  await check(request, 'GET', '/api/posts', '/api/posts?limit=3', 200);
  await check(request, 'GET', '/api/posts', '/api/posts?limit=0', 400);
  await check(request, 'GET', '/api/posts/{slug}', '/api/posts/welcome-to-quire', 200);
  await check(request, 'GET', '/api/posts/{slug}', '/api/posts/no-such-post', 404);
  const etag = (await request.get('/api/posts/welcome-to-quire')).headers()['etag'];
  await check(request, 'GET', '/api/posts/{slug}', '/api/posts/welcome-to-quire', 304, { headers: { 'If-None-Match': etag! } });
  await check(request, 'GET', '/api/posts/{slug}/comments', '/api/posts/welcome-to-quire/comments', 200);
  await check(request, 'GET', '/api/tags', '/api/tags', 200);
  await check(request, 'GET', '/api/search', '/api/search?q=sqlite', 200);
  await check(request, 'GET', '/api/search', '/api/search', 400);
  await check(request, 'GET', '/api/health', '/api/health', 200);

  // The author, with a token.
  const created = await check(api, 'POST', '/api/posts', '/api/posts', 201, {
    data: { title: `Contract ${unique}`, body: 'Text.', status: 'published', tags: ['Contract'] },
  });
  await check(api, 'POST', '/api/posts', '/api/posts', 409, { data: { title: 'Again', slug: created.slug, body: 'x' } });
  await check(request, 'POST', '/api/posts', '/api/posts', 401, { data: { title: 't', body: 'b' } });
  await check(api, 'POST', '/api/posts', '/api/posts', 415, { headers: { 'Content-Type': 'text/plain' }, data: 'hi' });
  await check(api, 'PATCH', '/api/posts/{slug}', `/api/posts/${created.slug}`, 200, { data: { summary: 'Changed.' } });
  await check(api, 'GET', '/api/admin/posts', '/api/admin/posts?q=Contract', 200);
  await check(api, 'GET', '/api/admin/slugs', `/api/admin/slugs?slug=${created.slug}`, 200);
  await check(api, 'POST', '/api/admin/preview', '/api/admin/preview', 200, { data: { body: '# Hi' } });
  await check(api, 'GET', '/api/admin/settings', '/api/admin/settings', 200);
  await check(api, 'PATCH', '/api/admin/settings', '/api/admin/settings', 200, { data: { maxLinks: 2 } });
  // The site's identity is shared by every spec running now: only calls that change nothing here
  // (e2e/site-settings.spec.ts changes it on a server of its own).
  await check(api, 'GET', '/api/admin/site', '/api/admin/site', 200);
  await check(api, 'PATCH', '/api/admin/site', '/api/admin/site', 200, { data: {} });
  await check(api, 'PATCH', '/api/admin/site', '/api/admin/site', 400, { data: { accentColor: '#ffff00' } });
  const notAnImage = { headers: { 'Content-Type': 'image/png' }, data: Buffer.from('not an image') };
  await check(api, 'PUT', '/api/admin/site/{image}', '/api/admin/site/logo', 400, notAnImage);
  await check(api, 'PUT', '/api/admin/site/{image}', '/api/admin/site/banner', 404, notAnImage);
  await check(api, 'DELETE', '/api/admin/site/{image}', '/api/admin/site/logo', 204);
  await check(api, 'GET', '/api/session', '/api/session', 200);

  // A reader comments, edits within the window, and a reply comes from the author.
  const reader = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL! } });
  const comment = await check(reader, 'POST', '/api/posts/{slug}/comments', `/api/posts/${created.slug}/comments`, 201, {
    data: { authorName: 'Reader', body: 'First!' },
  });
  await check(reader, 'POST', '/api/posts/{slug}/comments', `/api/posts/${created.slug}/comments`, 400, {
    data: { authorName: '', body: '' },
  });
  await check(reader, 'PATCH', '/api/comments/{id}', `/api/comments/${comment.id}`, 200, { data: { body: 'First, edited.' } });
  const mine = await check(reader, 'GET', '/api/comments/mine', '/api/comments/mine', 200);
  expect(mine.data).toEqual([{ id: comment.id, body: 'First, edited.' }]);
  // More links than allowed: held, and shown to the reader who wrote it alone.
  const held = await check(reader, 'POST', '/api/posts/{slug}/comments', `/api/posts/${created.slug}/comments`, 201, {
    data: { authorName: 'Reader', body: 'Held: https://a.example https://b.example https://c.example' },
  });
  const ownHeld = await check(reader, 'GET', '/api/posts/{slug}/comments/mine', `/api/posts/${created.slug}/comments/mine`, 200);
  expect(ownHeld.data.map((c: { id: number }) => c.id)).toEqual([held.id]);
  await check(request, 'GET', '/api/posts/{slug}/comments/mine', '/api/posts/no-such-post/comments/mine', 404);
  await check(request, 'PATCH', '/api/comments/{id}', `/api/comments/${comment.id}`, 401, { data: { body: 'Not mine' } });
  await check(request, 'GET', '/api/comments/{id}', `/api/comments/${comment.id}`, 200);
  await check(request, 'GET', '/api/comments/{id}', '/api/comments/0', 404);
  await check(api, 'POST', '/api/posts/{slug}/comments', `/api/posts/${created.slug}/comments`, 201, {
    data: { authorName: 'x', body: 'Thanks!', parentId: comment.id },
  });
  await check(api, 'GET', '/api/admin/comments', '/api/admin/comments?status=approved', 200);
  await check(api, 'GET', '/api/admin/comments', '/api/admin/comments?post=no-such-post&q=x', 404);
  await check(api, 'PATCH', '/api/comments/{id}', `/api/comments/${comment.id}`, 200, { data: { status: 'approved' } });
  await check(api, 'POST', '/api/admin/comments/bulk', '/api/admin/comments/bulk', 200, { data: { action: 'pending', ids: [comment.id] } });
  await check(reader, 'DELETE', '/api/comments/{id}', `/api/comments/${comment.id}`, 204);
  await reader.dispose();

  // The author in a browser session: sign-in, tokens, sign-out.
  const browser = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL! } });
  await check(browser, 'POST', '/api/session', '/api/session', 401, { data: { email: AUTHOR.email, password: 'wrong' } });
  await check(browser, 'POST', '/api/session', '/api/session', 200, { data: { email: AUTHOR.email, password: AUTHOR.password } });
  await check(browser, 'GET', '/api/admin/tokens', '/api/admin/tokens', 200);
  const token = await check(browser, 'POST', '/api/admin/tokens', '/api/admin/tokens', 201, { data: { name: `Contract ${unique}` } });
  await check(api, 'GET', '/api/admin/tokens', '/api/admin/tokens', 403);
  await check(browser, 'DELETE', '/api/admin/tokens/{id}', `/api/admin/tokens/${token.id}`, 204);
  await check(browser, 'POST', '/api/setup', '/api/setup', 409, {
    data: { setupToken: 'x', name: 'Eve', email: 'eve@example.com', password: 'long enough password' },
  });
  await check(browser, 'DELETE', '/api/session', '/api/session', 204);
  await browser.dispose();

  // The account, on an author of its own: a password change ends every other session, and the other specs share the setup author's.
  const account = await accountMade;
  const own = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL!, 'X-Forwarded-For': '198.51.100.20' } });
  await check(own, 'POST', '/api/account/password', '/api/account/password', 401, {
    data: { currentPassword: account.password, newPassword: 'long enough password' },
  });
  await check(own, 'POST', '/api/session', '/api/session', 200, { data: { email: account.email, password: account.password } });
  await check(own, 'POST', '/api/account/password', '/api/account/password', 400, {
    data: { currentPassword: account.password, newPassword: 'short' },
  });
  await check(own, 'POST', '/api/account/password', '/api/account/password', 200, {
    data: { currentPassword: account.password, newPassword: `${account.password} changed` },
  });
  await check(own, 'DELETE', '/api/account/sessions', '/api/account/sessions', 200);
  await check(api, 'DELETE', '/api/account/sessions', '/api/account/sessions', 403);
  await own.dispose();

  await check(api, 'DELETE', '/api/posts/{slug}', `/api/posts/${created.slug}`, 204);
  await check(api, 'DELETE', '/api/posts/{slug}', `/api/posts/${created.slug}`, 404);

  // Every documented operation was exercised at least once.
  const exercised = new Set(checked.map((entry) => entry.split(' ').slice(0, 2).join(' ')));
  const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(documented.filter((operation) => !exercised.has(operation))).toEqual([]);
});

test('the API docs page lists every endpoint', async ({ page, request }) => {
  const doc = (await (await request.get('/api/openapi.json')).json()) as Doc;
  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/API/);
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods)) {
      await expect(page.getByRole('heading', { level: 3, name: `${method.toUpperCase()} ${path}`, exact: true })).toBeVisible();
    }
  }
});
