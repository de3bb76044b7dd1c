import { type IncomingMessage, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, createEdge, isWellEncoded, parseTrustProxy, securityHeaders } from '@/server/edge.mjs';

/*
 * server/edge.mjs in a real node:http server on loopback: the client address the app is told, the
 * headers every answer carries, and the requests refused before Next. e2e/security.spec.ts checks
 * the same through Quire's production server.
 */

type Seen = { headers: IncomingMessage['headers'] };

async function serve(trustProxy: string | undefined, https = false) {
  let seen: Seen | undefined;
  const server = createServer(
    createEdge({
      trust: parseTrustProxy(trustProxy),
      https,
      handle: (request: IncomingMessage, response: ServerResponse) => {
        seen = { headers: { ...request.headers } };
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
});
