import http from 'node:http';
import net from 'node:net';
import type { Page } from '@playwright/test';
import { CommentSection } from './comment-form.po';
import { AUTHOR, expect, test } from './fixtures';
import { killAllServers, removeTempDatabases, startServer, tempDatabasePath } from './server-process';

/*
 * The defences a black-box review tested, tried the same way on the production server: security
 * headers on every kind of answer, frames refused, redirects that stay on this site, requests Next
 * would answer with a bare 500, and rate limits that a forged X-Forwarded-For cannot get around.
 */

test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

/** A raw request, for methods that fetch refuses to send (TRACE). */
function rawRequest(
  baseURL: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, baseURL), { method }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

test('every kind of answer carries the security headers', async ({ request, post }) => {
  const home = await (await request.get('/')).text();
  const asset = /\/_next\/static\/[^"]+\.js/.exec(home)![0];
  const paths = [
    '/',
    `/posts/${post.slug}`,
    '/api/posts',
    `/api/posts/${post.slug}`,
    '/feed.xml',
    '/atom.xml',
    '/feed.json',
    '/sitemap.xml',
    '/robots.txt',
    '/admin/sign-in',
    '/admin/posts',
    '/favicon.ico',
    asset,
    '/no-such-page',
    '/api/no-such-endpoint',
  ];
  for (const path of paths) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    for (const directive of [
      "default-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp, `${path} ${directive}`).toContain(directive);
    }
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    expect(headers['x-frame-options'], path).toBe('DENY');
    expect(headers['permissions-policy'], path).toContain('geolocation=()');
    // The test server is plain HTTP: HSTS only when SITE_URL is https (tests/edge.test.ts).
    expect(headers['strict-transport-security'], path).toBeUndefined();
  }
  expect((await request.get('/favicon.ico')).status()).toBe(200);
});

test('the admin area and the site cannot be framed by another site', async ({ page, baseURL }) => {
  for (const path of ['/admin/sign-in', '/']) {
    await page.setContent(`<iframe title="framed" src="${baseURL}${path}" width="400" height="300"></iframe>`);
    const frame = page.frames()[1]!;
    await frame.waitForLoadState().catch(() => undefined);
    // A refused frame never shows the page: it has no sign-in form or site header.
    await expect
      .poll(() =>
        frame
          .locator('body form, body header')
          .count()
          .catch(() => 0),
      )
      .toBe(0);
  }
});

test('pages run under the policy without violations', async ({ page, post }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Permissions-Policy/i.test(message.text())) violations.push(message.text());
  });
  for (const path of ['/', `/posts/${post.slug}`, '/search?q=quire', '/tags', '/admin/sign-in']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  // The comment form (a client component) still works.
  await page.goto(`/posts/${post.slug}`);
  const comments = await new CommentSection(page).enhanced();
  await comments.write('Policy reader', 'Written under a strict policy.');
  await expect(comments.comment('Written under a strict policy.')).toBeVisible();
  expect(violations).toEqual([]);
});

test('unknown methods and broken percent-encoding get problem+json, not a bare 500', async ({ baseURL }) => {
  for (const path of ['/', '/api/posts', '/posts/anything']) {
    const trace = await rawRequest(baseURL!, 'TRACE', path);
    expect(trace.status, path).toBe(405);
    expect(trace.headers['content-type']).toBe('application/problem+json');
    expect(trace.headers.allow).toContain('GET');
  }
  for (const path of ['/?cursor=%ZZ', '/posts/%ZZ', '/api/posts?cursor=%E0%A4', '/search?q=%']) {
    const broken = await rawRequest(baseURL!, 'GET', path);
    expect(broken.status, path).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ status: 400 });
  }
});

/** A request line written as it is (`*`, absolute-form), which neither fetch nor node:http sends; the status line and headers back. */
function rawLine(baseURL: string, line: string): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port, host } = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split(/\r\n\r\n(.*)/s);
      resolve({ status: Number(head.split(' ')[1]), head, body });
    });
    // write, not end: a half-closed socket reads as a client that went away, and the server stops rendering.
    socket.write(`${line}\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
}

test('an asterisk target: OPTIONS * lists the methods, others get a problem+json 400, never a 500', async ({ baseURL }) => {
  const options = await rawLine(baseURL!, 'OPTIONS * HTTP/1.1');
  expect(options.status).toBe(204);
  expect(options.head).toMatch(/\r\nallow: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT\r\n/i);
  for (const method of ['GET', 'POST']) {
    const { status, head, body } = await rawLine(baseURL!, `${method} * HTTP/1.1`);
    expect(status, method).toBe(400);
    expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(JSON.parse(body)).toMatchObject({ status: 400 });
  }
});

test('an absolute-form target is served as its path on this host and never redirected to another', async ({ baseURL, post }) => {
  const own = await rawLine(baseURL!, `GET ${baseURL}/posts/${post.slug} HTTP/1.1`);
  expect(own.status).toBe(200);
  expect(own.body).toContain(post.title);
  const foreign = await rawLine(baseURL!, 'GET http://evil.example/x HTTP/1.1');
  expect(foreign.status).toBe(421);
  expect(foreign.head).not.toMatch(/\r\nlocation:/i);
});

test('the Open Graph image is a 404 for an unknown post and a PNG for a real one', async ({ request, post }) => {
  const page = await (await request.get(`/posts/${post.slug}`)).text();
  const image = /<meta property="og:image" content="([^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&');
  const real = await request.get(new URL(image).pathname + new URL(image).search);
  expect(real.status()).toBe(200);
  expect(real.headers()['content-type']).toBe('image/png');
  const unknown = await request.get(new URL(image).pathname.replace(post.slug, `no-such-post-${post.slug}`));
  expect(unknown.status()).toBe(404);
});

const TAB_NEXT = '/\t/evil.example/x';

async function signInThroughForm(page: Page, next: string) {
  await page.goto(`/admin/sign-in?${new URLSearchParams({ next })}`);
  await page.getByLabel('Email').fill(AUTHOR.email);
  await page.getByLabel('Password').fill(AUTHOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

test.describe('after signing in, only this site is a destination', () => {
  test('with JavaScript', async ({ page, baseURL }) => {
    await signInThroughForm(page, TAB_NEXT);
    expect(new URL(page.url()).origin).toBe(baseURL);
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });
    test('the plain form', async ({ page, baseURL }) => {
      await signInThroughForm(page, TAB_NEXT);
      expect(new URL(page.url()).origin).toBe(baseURL);
    });
  });

  test('whatever `next` is posted', async ({ request, baseURL }) => {
    for (const next of [TAB_NEXT, '//evil.example', '/\\evil.example', '/\n/evil.example', 'https://evil.example/', '/ /evil.example']) {
      const response = await request.post('/api/session', {
        headers: { Origin: baseURL! },
        form: { email: AUTHOR.email, password: AUTHOR.password, next },
        maxRedirects: 0,
      });
      expect(response.status(), JSON.stringify(next)).toBe(303);
      const location = response.headers().location!;
      expect(new URL(location, baseURL).origin, JSON.stringify(next)).toBe(baseURL);
      expect(location).toMatch(/^\/(?![/\\])/);
    }
  });
});

test('a comment form posted to a crafted slug is a 404, never a redirect elsewhere', async ({ request, baseURL }) => {
  const response = await request.post('/api/posts/a%2f..%2f..%2f..%2f%2fevil.example/comments', {
    headers: { Origin: baseURL! },
    form: { authorName: '', body: '' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(404);
  expect(response.headers().location).toBeUndefined();
});

test.describe('rate limits and forwarded addresses', () => {
  test.describe.configure({ mode: 'serial' });
  test.setTimeout(60_000);

  /** Posts ten comments, each claiming another address, and answers their statuses. */
  async function spoofedComments(trustProxy?: string): Promise<number[]> {
    const server = await startServer({ databasePath: tempDatabasePath(), env: trustProxy ? { TRUST_PROXY: trustProxy } : {} });
    try {
      const slug = ((await (await fetch(`${server.url}/api/posts?limit=1`)).json()) as { data: { slug: string }[] }).data[0]!.slug;
      const statuses: number[] = [];
      for (let i = 1; i <= 10; i++) {
        const response = await fetch(`${server.url}/api/posts/${slug}/comments`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `203.0.113.${i}` },
          body: JSON.stringify({ authorName: 'Spoofer', body: `Comment ${i}` }),
        });
        statuses.push(response.status);
      }
      return statuses;
    } finally {
      await server.stop();
    }
  }

  test('by default a client cannot claim another address', async () => {
    const statuses = await spoofedComments();
    // The default limit is 6 comments a minute per address: the rest are refused.
    expect(statuses.slice(0, 6)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
  });

  test('behind a trusted proxy the forwarded address counts', async () => {
    expect(await spoofedComments('loopback')).toEqual(Array(10).fill(201));
  });
});
