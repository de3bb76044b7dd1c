import { type IncomingMessage, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustProxy } from '@/lib/env';
import { CLIENT_ADDRESS_HEADER } from '@/lib/http/client-address-header.mjs';
import { createEdge, isWellEncoded, securityHeaders } from '@/server/edge.mjs';

/*
 * server/edge.mjs in a real node:http server on loopback: the client address the app is told, the
 * headers every answer carries, and the requests refused before Next. e2e/security.spec.ts checks
 * the same through Quire's production server.
 */

type Seen = { headers: IncomingMessage['headers']; url?: string };

async function serve(trustProxy: string | undefined, https = false) {
  let seen: Seen | undefined;
  const server = createServer(
    createEdge({
      trust: parseTrustProxy(trustProxy),
      https,
      handle: (request: IncomingMessage, response: ServerResponse) => {
        seen = { headers: { ...request.headers }, url: request.url };
        response.end('ok');
      },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** node:http rather than fetch, which refuses methods such as TRACE. */
    request(path = '/', { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}) {
      seen = undefined;
      return new Promise<{ response: { status: number; headers: Headers }; body: string; seen?: Seen }>((resolve, reject) => {
        const request = httpRequest(`${url}${path}`, { method, headers }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
            resolve({ response: { status: response.statusCode!, headers }, body, seen });
          });
        });
        request.on('error', reject);
        request.end();
      });
    },
    /**
     * A request line as written, on a raw socket: fetch and node:http cannot send `*` or an
     * absolute-form target. Answers the status, the headers (lower-case names) and the body.
     */
    raw(method: string, target: string, host = '127.0.0.1') {
      seen = undefined;
      return new Promise<{ status: number; headers: Map<string, string>; body: string; seen?: Seen }>((resolve, reject) => {
        const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        socket.on('error', reject);
        socket.on('end', () => {
          const [head = '', body = ''] = text.split(/\r\n\r\n(.*)/s);
          const [statusLine = '', ...lines] = head.split('\r\n');
          const headers = new Map(
            lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
          );
          resolve({ status: Number(statusLine.split(' ')[1]), headers, body, seen });
        });
        const length = method === 'POST' ? 'Content-Length: 0\r\n' : '';
        // write, not end: a half-closed socket reads as a client that went away.
        socket.write(`${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n${length}Connection: close\r\n\r\n`);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('client address', () => {
  it('is the socket address by default, whatever X-Forwarded-For says', async () => {
    const server = await serve(undefined);
    const { seen } = await server.request('/', {
      headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Real-IP': '203.0.113.8', [CLIENT_ADDRESS_HEADER]: '203.0.113.9' },
    });
    expect(seen!.headers[CLIENT_ADDRESS_HEADER]).toBe('127.0.0.1');
    // The client's claims never reach Next or the app.
    expect(seen!.headers['x-forwarded-for']).toBeUndefined();
    expect(seen!.headers['x-real-ip']).toBeUndefined();
    await server.close();
  });

  it('comes from X-Forwarded-For only through trusted proxies (hop count or addresses)', async () => {
    for (const trust of ['1', 'loopback', '127.0.0.1/8']) {
      const server = await serve(trust);
      const { seen } = await server.request('/', { headers: { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' } });
      // One trusted hop (this machine) vouches for the last entry only: the first is the client's own claim.
      expect(seen!.headers[CLIENT_ADDRESS_HEADER], trust).toBe('203.0.113.7');
      expect(seen!.headers['x-forwarded-for']).toBe('198.51.100.1, 203.0.113.7');
      await server.close();
    }
    const two = await serve('2');
    expect(
      (await two.request('/', { headers: { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' } })).seen!.headers[CLIENT_ADDRESS_HEADER],
    ).toBe('198.51.100.1');
    await two.close();
    const elsewhere = await serve('10.0.0.0/8');
    expect((await elsewhere.request('/', { headers: { 'X-Forwarded-For': '203.0.113.7' } })).seen!.headers[CLIENT_ADDRESS_HEADER]).toBe(
      '127.0.0.1',
    );
    await elsewhere.close();
  });

  it('refuses a TRUST_PROXY it cannot read', () => {
    expect(() => parseTrustProxy('not-an-address')).toThrow(/TRUST_PROXY/);
    expect(parseTrustProxy('false')('127.0.0.1', 0)).toBe(false);
    expect(parseTrustProxy('true')('203.0.113.1', 5)).toBe(true);
  });
});

describe('security headers', () => {
  it('are on every answer, refusals included', async () => {
    const server = await serve(undefined);
    for (const [path, init] of [
      ['/', {}],
      ['/?cursor=%ZZ', {}],
      ['/api/posts', { method: 'PROPFIND' }],
    ] as const) {
      const { response } = await server.request(path, init);
      const csp = response.headers.get('content-security-policy')!;
      for (const directive of [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('permissions-policy')).toContain('camera=()');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
    await server.close();
  });

  it('add HSTS when the site is served over HTTPS', () => {
    expect(new Map(securityHeaders({ https: true })).get('Strict-Transport-Security')).toMatch(/^max-age=\d{8}/);
  });
});

describe('requests refused before Next', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(undefined);
  });
  afterAll(() => server.close());

  it('answers an unknown method with a problem+json 405 and Allow', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'PURGE']) {
      const { response, body, seen } = await server.request('/api/posts', { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
      expect(JSON.parse(body)).toMatchObject({ status: 405, title: 'Method not allowed' });
      expect(seen).toBeUndefined();
    }
  });

  it('answers broken percent-encoding in the path or the query with a problem+json 400', async () => {
    for (const path of ['/?cursor=%ZZ', '/posts/%ZZ', '/search?q=%E0%A4%A', '/?a=1&%zz=2']) {
      const { response, body, seen } = await server.request(path);
      expect(response.status, path).toBe(400);
      expect(JSON.parse(body)).toMatchObject({ status: 400, detail: 'The URL is not validly percent-encoded.' });
      expect(seen).toBeUndefined();
    }
    expect((await server.request('/search?q=100%25+sure&x=%F0%9F%8C%B8')).response.status).toBe(200);
  });

  it('checks encoding without decoding what is fine', () => {
    expect(isWellEncoded('/posts/caf%C3%A9?q=a%20b')).toBe(true);
    expect(isWellEncoded('/no/percent/at/all?q=x')).toBe(true);
    expect(isWellEncoded('/%')).toBe(false);
  });

  it('answers OPTIONS * with 204 and the server’s methods, and any other * target with a problem+json 400', async () => {
    const options = await server.raw('OPTIONS', '*');
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
    expect(options.body).toBe('');
    expect(options.headers.get('x-content-type-options')).toBe('nosniff');
    expect(options.seen).toBeUndefined();
    for (const method of ['GET', 'POST', 'DELETE', 'PUT']) {
      const { status, headers, body, seen } = await server.raw(method, '*');
      expect(status, method).toBe(400);
      expect(headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status: 400, title: 'Bad request' });
      expect(seen).toBeUndefined();
    }
    // Only the bare asterisk is the asterisk form.
    expect((await server.raw('OPTIONS', '/api/posts')).seen?.url).toBe('/api/posts');
  });

  it('serves an absolute-form target for this host as its path, and refuses one for another host', async () => {
    const own = await server.raw('GET', 'http://127.0.0.1/posts/hello?x=1', '127.0.0.1');
    expect(own.status).toBe(200);
    expect(own.seen?.url).toBe('/posts/hello?x=1');
    expect(own.seen?.headers.host).toBe('127.0.0.1');
    expect((await server.raw('GET', 'HTTP://Blog.Example:80', 'blog.example')).seen?.url).toBe('/');
    expect((await server.raw('GET', 'http://blog.example?q=1', 'blog.example')).seen?.url).toBe('/?q=1');

    // Next answered this with a 308 to the foreign host.
    for (const target of ['http://evil.example/x', 'https://evil.example/', 'http://127.0.0.1:8080/x']) {
      const { status, headers, body, seen } = await server.raw('GET', target, '127.0.0.1');
      expect(status, target).toBe(421);
      expect(headers.get('location')).toBeUndefined();
      expect(headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status: 421, title: 'Misdirected request' });
      expect(seen).toBeUndefined();
    }
    for (const target of ['ftp://127.0.0.1/x', 'http://user@127.0.0.1/x', 'http:///x', 'javascript:alert(1)']) {
      const { status, seen } = await server.raw('GET', target, '127.0.0.1');
      expect(status, target).toBe(400);
      expect(seen).toBeUndefined();
    }
  });
});
