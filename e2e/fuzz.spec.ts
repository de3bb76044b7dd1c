import http from 'node:http';
import net from 'node:net';
import { type APIRequestContext, expect, test } from '@playwright/test';
import fc from 'fast-check';

/*
 * HTTP-level fuzzing of the production server, for what tests/fuzz.test.ts cannot see in-process:
 * Next's routing and proxy, percent-decoding of the path, raw bytes, bodies that lie about their
 * length, and whether the size limit holds before a body has arrived. Requests go out through
 * node:http and raw sockets, one connection each, so a lying request cannot confuse the next.
 *
 * Nothing here can write: writes carry no credentials, comments go to posts that do not exist,
 * and no request claims to come from the site's own pages.
 */

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
const TIME_LIMIT_MS = 5_000;
const ADMIN = `Bearer ${process.env.E2E_ADMIN_TOKEN}`;
const MAX_BODY_BYTES = 64 * 1024;

let base: URL;
test.beforeEach(({ baseURL }) => {
  base = new URL(baseURL!);
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  // node:http frames a GET or DELETE body only when told its length; unframed, it would read as a second request.
  const framed = body === undefined ? headers : { 'Content-Length': String(Buffer.byteLength(body)), ...headers };
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: base.hostname, port: base.port, method, path, headers: framed, agent: false, timeout: TIME_LIMIT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer within ${TIME_LIMIT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Writes `text` on a socket of its own (ending it unless `keepOpen`), and resolves with whatever
 * comes back before the server closes the connection or `waitMs` passes.
 */
function raw(text: string, { keepOpen = false, waitMs = TIME_LIMIT_MS } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(base.port), base.hostname);
    let received = '';
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', reject);
    socket.write(text, 'latin1');
    if (!keepOpen) socket.end();
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

function expectProblem(answer: Answer, label: string): void {
  expect(answer.headers['content-type'], label).toBe('application/problem+json');
  expect(JSON.parse(answer.body), label).toMatchObject({
    type: expect.stringMatching(/^\/problems\//),
    title: expect.any(String),
    status: answer.status,
    detail: expect.any(String),
  });
}

/* The fuzz: every endpoint, with paths, queries, headers and bodies no client should send. */

const STANDARD_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Methods Next answers itself, before any of our code. Not TRACE: Next answers it with a bare 500 (see the report).
const ODD_METHODS = ['PROPFIND', 'M-SEARCH', 'PURGE', 'LOCK'];

/** Percent-escapes that do not decode (or decode to nothing valid), and ones that decode to awkward text. */
const PERCENT = [
  '%',
  '%z',
  '%zz',
  '%ff',
  '%c3%28',
  '%ed%a0%80',
  '%c0%af',
  '%f4%90%80%80',
  '%00',
  '%0a',
  '%2F',
  '%25',
  '%20',
  '%E2%80%AE',
  'caf%C3%A9',
];
const NUMBERS = ['0', '-1', '1.5', '1e3', '99999999999999999999', '0x1', '%EF%BC%91', 'NaN', '1'];

const segment = fc.oneof(
  fc.constantFrom(...PERCENT, ...NUMBERS, 'fuzz-no-such-post'),
  fc.stringMatching(/^[A-Za-z0-9_~-]{1,40}$/),
  fc.tuple(fc.constantFrom(...PERCENT), fc.stringMatching(/^[a-z0-9]{0,8}$/)).map(([junk, text]) => `${text}${junk}${text}`),
  fc.integer({ min: 1, max: 3_000 }).map((n) => 'a'.repeat(n)),
);

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'cursor', 'tag', 'q', 'status', 'slug', 'exceptId', '%zz', ''),
      fc.oneof(
        fc.constantFrom(...PERCENT, ...NUMBERS, '', 'pending', 'AND+OR+NOT', '"a"*'),
        fc.stringMatching(/^[A-Za-z0-9+/=._-]{0,60}$/),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}` : ''));

const latin1 = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'application/xml',
];

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value))),
  fc.json().map((text) => Buffer.from(text.slice(0, Math.ceil(text.length / 2)))),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from('{"title":"\xff\xfe","body":"x"}', 'latin1'),
    Buffer.from('{"body":"a\u0000b","authorName":"\u0000"}'),
    Buffer.from('authorName=%ff&body=%00&parentId=1e999'),
    Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`),
    Buffer.from(`{"ids":["1","2"],"limit":"5","commentsEnabled":"true","maxLinks":"1e3"}`),
    Buffer.alloc(MAX_BODY_BYTES + 1, 'a'),
  ),
);

/** Every endpoint the OpenAPI document describes (tests/fuzz.test.ts checks that is every route), and the document itself. */
async function endpoints(request: APIRequestContext): Promise<string[]> {
  const doc = (await (await request.get('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
  return ['/api/openapi.json', ...Object.keys(doc.paths)];
}

const requestCase = (templates: string[]) =>
  fc
    .record({
      template: fc.constantFrom(...templates),
      method: fc.oneof(
        { arbitrary: fc.constantFrom(...STANDARD_METHODS), weight: 6 },
        { arbitrary: fc.constantFrom(...ODD_METHODS), weight: 1 },
      ),
      params: fc.tuple(segment, segment),
      query,
      contentType: fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), latin1), { nil: undefined }),
      authorization: fc.option(fc.oneof(fc.constant(ADMIN), fc.constant('Bearer'), latin1), { nil: undefined }),
      origin: fc.option(fc.oneof(fc.constantFrom('https://evil.example', 'null'), latin1), { nil: undefined }),
      cookie: fc.option(fc.oneof(fc.constantFrom('quire_session=%zz', 'quire_comments=a.b', ';;='), latin1), { nil: undefined }),
      forwardedFor: fc.ipV4(),
      body,
    })
    .map((c) => {
      const reads = c.method === 'GET' || c.method === 'HEAD';
      // The bootstrap token only on requests that cannot write: reads, and the Markdown preview.
      const authorization = c.authorization === ADMIN && !reads && c.template !== '/api/admin/preview' ? undefined : c.authorization;
      let i = 0;
      const path = c.template.replace(/\{\w+}/g, () => c.params[i++]!) + c.query;
      return { ...c, authorization, path, body: c.method === 'HEAD' ? undefined : c.body };
    });

test('random requests to every endpoint: never a 5xx, never a hang, every error problem+json', async ({ request }) => {
  const templates = await endpoints(request);
  expect(templates).toContain('/api/posts/{slug}/comments');
  await fc.assert(
    fc.asyncProperty(requestCase(templates), async (c) => {
      const headers: Record<string, string> = { 'X-Forwarded-For': c.forwardedFor };
      if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
      if (c.authorization !== undefined) headers.Authorization = c.authorization;
      if (c.origin !== undefined) headers.Origin = c.origin;
      if (c.cookie !== undefined) headers.Cookie = c.cookie;
      const answer = await send(c.method, c.path, headers, c.body);
      const label = `${c.method} ${c.path.slice(0, 200)} answered ${answer.status}: ${answer.body.slice(0, 200)}`;
      expect(answer.status, label).toBeLessThan(500);
      // Next answers methods it does not route (with a bare 400) and malformed requests itself.
      if (answer.status >= 400 && STANDARD_METHODS.includes(c.method)) {
        if (c.method === 'HEAD') expect(answer.headers['content-type'], label).toBe('application/problem+json');
        else expectProblem(answer, label);
      }
    }),
    { numRuns: RUNS },
  );
});

/* The size limit, before the body has arrived. */

test('a body over 64 KiB streamed slowly is refused with 413 long before it ends', async () => {
  const total = 1024 * 1024;
  const chunk = Buffer.alloc(8 * 1024, 'a');
  let sent = 0;
  let answered = false;
  const answer = await new Promise<Answer & { sentBeforeAnswer: number }>((resolve, reject) => {
    const request = http.request(
      {
        host: base.hostname,
        port: base.port,
        // An author's endpoint with the small limit (the preview's is a post's, lib/api/endpoints/content.ts).
        method: 'PATCH',
        path: '/api/admin/settings',
        agent: false,
        headers: { Authorization: ADMIN, 'Content-Type': 'application/json' },
      },
      (response) => {
        answered = true;
        const sentBeforeAnswer = sent;
        const chunks: Buffer[] = [];
        response.on('data', (data: Buffer) => chunks.push(data));
        response.on('end', () => {
          request.destroy();
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString(), sentBeforeAnswer });
        });
      },
    );
    // Writing on after the answer may fail once the server closes the connection; that is expected.
    request.on('error', (error) => (answered ? undefined : reject(error)));
    request.write('{"blocklist":"');
    // 8 KiB every 20 ms: the whole body would take about 2.5 s to arrive.
    const timer = setInterval(() => {
      if (request.destroyed || sent >= total) return clearInterval(timer);
      request.write(chunk);
      sent += chunk.length;
    }, 20);
  });
  expect(answer.status).toBe(413);
  expectProblem(answer, 'slow body');
  expect(answer.sentBeforeAnswer).toBeGreaterThan(MAX_BODY_BYTES - chunk.length);
  // Socket buffers on both sides hold a few chunks more than the server has read.
  expect(answer.sentBeforeAnswer).toBeLessThan(total / 2);
});

test('a declared Content-Length over the limit is refused at once, without waiting for the body', async () => {
  const started = Date.now();
  const response = await raw(
    `POST /api/admin/preview HTTP/1.1\r\nHost: ${base.host}\r\nAuthorization: ${ADMIN}\r\nContent-Type: application/json\r\n` +
      `Content-Length: 1000000000\r\nConnection: close\r\n\r\n{"body":"`,
    { keepOpen: true, waitMs: 3_000 },
  );
  expect(statusOf(response)).toBe(413);
  expect(response).toContain('application/problem+json');
  expect(Date.now() - started).toBeLessThan(3_000);
});

/* Bodies that break off or lie about their length. */

test('bodies that break off or lie about their length get a 400, and the server carries on', async () => {
  const head = (path: string, extra: string) =>
    `POST ${path} HTTP/1.1\r\nHost: ${base.host}\r\nAuthorization: ${ADMIN}\r\nContent-Type: application/json\r\n${extra}Connection: close\r\n\r\n`;
  const cases = {
    'longer Content-Length than the body, then the client hangs up': head('/api/admin/preview', 'Content-Length: 100\r\n') + '{"body":"ab',
    'shorter Content-Length than the body': head('/api/admin/preview', 'Content-Length: 5\r\n') + '{"body":"abc"}',
    'a chunked body cut off mid-chunk': head('/api/admin/preview', 'Transfer-Encoding: chunked\r\n') + '10\r\n{"bod',
    'a chunk size that is not hex': head('/api/admin/preview', 'Transfer-Encoding: chunked\r\n') + 'zz\r\n{"body":"x"}\r\n0\r\n\r\n',
    'both Content-Length and chunked': head('/api/admin/preview', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\n',
    'a form comment cut off':
      head('/api/posts/fuzz-no-such-post/comments', 'Content-Length: 100\r\n').replace(
        'application/json',
        'application/x-www-form-urlencoded',
      ) + 'authorName=a&bo',
  };
  for (const [what, request] of Object.entries(cases)) expect(statusOf(await raw(request)), what).toBe(400);
  expect((await send('GET', '/api/health')).status).toBe(200);
});

test('a client that stops sending mid-body does not hold up anyone else', async () => {
  const stalled = raw(
    `POST /api/admin/preview HTTP/1.1\r\nHost: ${base.host}\r\nAuthorization: ${ADMIN}\r\nContent-Type: application/json\r\n` +
      `Content-Length: 1000\r\n\r\n{"body":"`,
    { keepOpen: true, waitMs: 2_000 },
  );
  const started = Date.now();
  expect((await send('GET', '/api/health')).status).toBe(200);
  expect(
    (await send('POST', '/api/admin/preview', { Authorization: ADMIN, 'Content-Type': 'application/json' }, '{"body":"*hi*"}')).status,
  ).toBe(200);
  expect(Date.now() - started).toBeLessThan(2_000);
  // The stalled request is still waiting for its body when the test lets go of it.
  expect(await stalled).toBe('');
});

/* Raw bytes and paths. */

test('raw bytes in bodies and paths: invalid UTF-8, NUL, broken percent-encoding', async () => {
  const json = { Authorization: ADMIN, 'Content-Type': 'application/json' };
  const invalidUtf8 = await send(
    'POST',
    '/api/admin/preview',
    json,
    Buffer.from([0x7b, 0x22, 0x62, 0x6f, 0x64, 0x79, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  );
  expect(invalidUtf8.status).toBe(400);
  expectProblem(invalidUtf8, 'invalid UTF-8');
  expect(JSON.parse(invalidUtf8.body).detail).toMatch(/UTF-8/);

  const nul = await send('POST', '/api/admin/preview', json, Buffer.from('{"body":"a\u0000b"}'));
  expect(nul.status).toBe(400);
  expectProblem(nul, 'raw NUL in a JSON string');

  const form = { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '198.51.100.7' };
  const invalidForm = await send('POST', '/api/posts/fuzz-no-such-post/comments', form, Buffer.from([0x61, 0x3d, 0xff]));
  expect(invalidForm.status).toBe(400);
  expectProblem(invalidForm, 'invalid UTF-8 in a form');

  // Broken escapes are refused by proxy.ts, with a body (straight to the route otherwise) as without.
  for (const [method, path] of [
    ['GET', '/api/posts/%zz'],
    ['GET', '/api/comments/%c0%af'],
    ['POST', '/api/posts/%ff/comments'],
    ['PATCH', '/api/posts/%ed%a0%80'],
    ['DELETE', '/api/admin/tokens/%e2%82'],
  ] as const) {
    const answer = await send(method, path, form, method === 'GET' ? undefined : 'authorName=a&body=b');
    expect(answer.status, `${method} ${path}`).toBe(400);
    expectProblem(answer, `${method} ${path}`);
  }

  // Raw non-ASCII bytes in the request line are Next's to refuse.
  expect((await send('GET', '/api/posts/caf\u00c3\u00a9')).status).toBeLessThan(500);
});

/* What the fuzzers found; each was a 500 before. */

test('found by fuzzing: a form post for a slug with non-ASCII text is a 404 (no redirect is built from it)', async () => {
  const answer = await send(
    'POST',
    '/api/posts/caf%C3%A9-%E2%80%AE/comments',
    { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '198.51.100.8' },
    'authorName=&body=',
  );
  expect(answer.status).toBe(404);
  expect(answer.headers.location).toBeUndefined();
  expectProblem(answer, 'non-ASCII slug');
});

test('found by fuzzing: Markdown nested thousands of levels deep is refused as an invalid body', async () => {
  const answer = await send(
    'POST',
    '/api/posts/fuzz-no-such-post/comments',
    { 'Content-Type': 'application/json', 'X-Forwarded-For': '198.51.100.9' },
    JSON.stringify({ authorName: 'Fuzz', body: `${'>'.repeat(4_990)} deep` }),
  );
  expect(answer.status).toBe(400);
  expectProblem(answer, 'deep Markdown');
  expect(JSON.parse(answer.body).errors).toEqual([{ field: 'body', message: expect.stringMatching(/too deeply/) }]);
});
