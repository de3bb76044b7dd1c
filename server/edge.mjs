// @ts-check
/*
 * What Quire's server does to every request before Next sees it (server/index.mjs): work out who
 * the client is from the socket (trusting forwarded headers only from configured proxies), put the
 * security headers on the response, refuse methods and URLs that Next would answer with a bare
 * 500, and turn an absolute-form request target into the path Next expects. Plain JavaScript, so
 * the server starts without a build step; tests/edge.test.ts covers it.
 */
import proxyAddr from 'proxy-addr';
import { CLIENT_ADDRESS_HEADER } from '../lib/http/client-address-header.mjs';

/** Headers a client could send to claim another address or scheme; kept only from a trusted proxy. */
const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded'];

/** Methods some route of Quire answers; anything else (TRACE, PROPFIND ...) is refused for every path. */
export const KNOWN_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * The client's address: the socket's peer, or, walking X-Forwarded-For from the right while each
 * hop is a trusted proxy, the first address a trusted proxy vouches for. Forwarded headers from
 * an untrusted peer are deleted, so neither Next (which fills in X-Forwarded-* only when absent)
 * nor the app ever sees a client's own claim.
 * @param {import('node:http').IncomingMessage} request
 * @param {(address: string, hop: number) => boolean} trust the reading of TRUST_PROXY (lib/env.js)
 */
export function resolveClient(request, trust) {
  const peer = request.socket.remoteAddress ?? '';
  const address = peer ? proxyAddr(request, trust) : 'unknown';
  if (!peer || !trust(peer, 0)) for (const name of FORWARDED_HEADERS) delete request.headers[name];
  request.headers[CLIENT_ADDRESS_HEADER] = address;
  return address;
}

/**
 * The security headers of every response. Scripts: Next's pages carry inline scripts (the React
 * Server Components payload) that differ per page; a nonce would make every page render per
 * request and could not be cached, so `script-src` allows 'self' and inline scripts, and every
 * byte of user content is sanitised before it reaches a page (docs/security.md).
 * @param {{ https: boolean, dev?: boolean }} options
 * @returns {[string, string][]}
 */
export function securityHeaders({ https, dev = false }) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    // Posts may show images from anywhere on the web, as blogs do.
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return [
    ['Content-Security-Policy', csp],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    [
      'Permissions-Policy',
      'accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()',
    ],
    ...(https ? /** @type {[string, string][]} */ ([['Strict-Transport-Security', 'max-age=63072000; includeSubDomains']]) : []),
  ];
}

/**
 * Whether every percent sign in the path and query starts a valid UTF-8 escape. Next answers
 * `/posts/%ZZ` and `/?cursor=%ZZ` with a bare 500 while decoding them.
 * @param {string} url the request target, e.g. `/search?q=a%20b`
 */
export function isWellEncoded(url) {
  if (!url.includes('%')) return true;
  const [path = '', query = ''] = url.split(/\?(.*)/s);
  try {
    decodeURIComponent(path);
    for (const pair of query.split('&')) for (const part of pair.split('=')) decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/**
 * What Next should see of a request target (RFC 9112, section 3.2): `origin` (a path, passed on as
 * it is), `asterisk` (`*`, meaningful for OPTIONS only), or an absolute-form `http(s)://host/path`,
 * which a server must accept: it is the path and query here, as long as the authority names the host
 * the client sent in Host (the same host, told twice). Next would answer `*` with a 500 and an
 * absolute-form target with a redirect to its host, so neither reaches it as written.
 * @param {string} url the request target as received
 * @param {string | undefined} host the Host header
 * @returns {{ form: 'origin', url: string } | { form: 'asterisk' } | { form: 'misdirected' } | { form: 'invalid' }}
 */
export function readTarget(url, host) {
  if (url.startsWith('/')) return { form: 'origin', url };
  if (url === '*') return { form: 'asterisk' };
  const absolute = /^(https?):\/\/([^/?#]*)([^#]*)$/i.exec(url);
  if (!absolute) return { form: 'invalid' };
  const [, scheme = '', authority = '', rest = ''] = absolute;
  // http(s) URIs carry no user name or password (RFC 9110, section 4.2.4).
  if (authority === '' || authority.includes('@')) return { form: 'invalid' };
  const hostOf = (/** @type {string} */ value) => {
    try {
      return new URL(`${scheme.toLowerCase()}://${value}`).host;
    } catch {
      return undefined;
    }
  };
  const target = hostOf(authority);
  if (target === undefined) return { form: 'invalid' };
  if (host === undefined || hostOf(host) !== target) return { form: 'misdirected' };
  return { form: 'origin', url: rest.startsWith('/') ? rest : `/${rest}` };
}

/**
 * A refusal for a request that never reaches Next, in the API's problem+json format (lib/errors.ts).
 * @param {import('node:http').ServerResponse} response
 * @param {number} status
 * @param {string} code
 * @param {string} title
 * @param {string} detail
 * @param {Record<string, string>} [headers]
 */
export function refuse(response, status, code, title, detail, headers = {}) {
  const body = JSON.stringify({ type: `/problems/${code}`, title, status, detail });
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

/**
 * The request listener in front of Next's handler.
 * @param {{ trust: (address: string, hop: number) => boolean, https: boolean, dev?: boolean, handle: (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => unknown }} options
 * @returns {(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => unknown}
 */
export function createEdge({ trust, https, dev = false, handle }) {
  const headers = securityHeaders({ https, dev });
  return (request, response) => {
    resolveClient(request, trust);
    for (const [name, value] of headers) response.setHeader(name, value);
    const method = request.method ?? '';
    if (!KNOWN_METHODS.includes(method)) {
      return refuse(
        response,
        405,
        'method-not-allowed',
        'Method not allowed',
        `${method || 'This method'} is not supported by this server.`,
        {
          Allow: KNOWN_METHODS.join(', '),
        },
      );
    }
    const target = readTarget(request.url ?? '/', request.headers.host);
    if (target.form === 'asterisk') {
      // "OPTIONS *" asks what the server as a whole supports (RFC 9110, section 9.3.7).
      if (method === 'OPTIONS') {
        response.writeHead(204, { Allow: KNOWN_METHODS.join(', '), 'Cache-Control': 'no-store' });
        return response.end();
      }
      return refuse(response, 400, 'bad-request', 'Bad request', `The request target * is meaningful only for OPTIONS.`);
    }
    if (target.form === 'misdirected') {
      // The client names another host than the one it sent in Host: not ours to answer, and never a redirect there.
      return refuse(
        response,
        421,
        'misdirected-request',
        'Misdirected request',
        'The request target names another host than the Host header.',
      );
    }
    if (target.form === 'invalid') {
      return refuse(response, 400, 'bad-request', 'Bad request', 'The request target is neither a path nor an http(s) URL of this host.');
    }
    request.url = target.url;
    if (!isWellEncoded(request.url)) {
      return refuse(response, 400, 'bad-request', 'Bad request', 'The URL is not validly percent-encoded.');
    }
    return handle(request, response);
  };
}
