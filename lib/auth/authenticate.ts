import 'server-only';
import { findUserByApiToken } from '@/lib/auth/api-tokens';
import { readCookie } from '@/lib/http/cookies';
import { safeEqual } from '@/lib/auth/crypto';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { SESSION_COOKIE, getSessionUser } from '@/lib/auth/sessions';
import type { AuthUser } from '@/lib/auth/schemas';

/** Who is making a request: the bootstrap ADMIN_TOKEN, an author's API token, or an author's browser session. */
export type Principal = { kind: 'bootstrap' } | { kind: 'token'; user: AuthUser } | { kind: 'session'; user: AuthUser };

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const unauthorized = (detail: string, error?: string) =>
  new AppError('unauthorized', detail, {
    headers: { 'WWW-Authenticate': `Bearer realm="quire"${error ? `, error="${error}"` : ''}` },
  });

/**
 * The request's principal, or null for an anonymous reader. A bearer token that is sent but
 * not valid is an error rather than anonymity, so a script with a revoked token fails loudly.
 */
export async function authenticate(request: Request): Promise<Principal | null> {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
    const bootstrap = getEnv().ADMIN_TOKEN;
    if (token && bootstrap && safeEqual(token, bootstrap)) return { kind: 'bootstrap' };
    const user = token ? await findUserByApiToken(token) : undefined;
    if (user) return { kind: 'token', user };
    throw unauthorized(
      'The token is not valid or has expired. Send "Authorization: Bearer <token>" with an API token created in the admin area, or with the ADMIN_TOKEN environment variable of the server.',
      'invalid_token',
    );
  }
  const user = await getSessionUser(readCookie(request, SESSION_COOKIE));
  if (!user) return null;
  // Browsers attach cookies to cross-site requests; tokens are never sent by accident.
  if (UNSAFE_METHODS.has(request.method)) assertSameOrigin(request);
  return { kind: 'session', user };
}

export async function requireAdmin(request: Request): Promise<Principal> {
  const principal = await authenticate(request);
  if (principal) return principal;
  throw unauthorized(
    getEnv().ADMIN_TOKEN
      ? 'Sign in, or send "Authorization: Bearer <token>".'
      : 'Sign in at /admin, or send "Authorization: Bearer <token>" with an API token from the admin area. (Scripts can also use the ADMIN_TOKEN environment variable, which is not set on this server.)',
  );
}

/** Tokens and the account need a person at a browser, not a script holding a token. */
export async function requireSession(request: Request): Promise<AuthUser> {
  const principal = await requireAdmin(request);
  if (principal.kind !== 'session')
    throw new AppError('forbidden', 'Only a signed-in author at a browser can do this: API tokens cannot manage tokens or the account.');
  return principal.user;
}

/**
 * CSRF defence for cookie-authenticated writes: the browser must say the request came from this
 * site, through Origin or, where Origin is absent, Sec-Fetch-Site.
 */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  const fetchSite = request.headers.get('sec-fetch-site');
  const allowed = origin ? ownOrigins(request).has(origin) : fetchSite === 'same-origin';
  if (!allowed) throw new AppError('forbidden', 'Cross-site request refused: this action must come from a page of this site.');
}

function ownOrigins(request: Request): Set<string> {
  const origins = new Set([new URL(getEnv().SITE_URL).origin, new URL(request.url).origin]);
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  const proto = request.headers.get('x-forwarded-proto') ?? new URL(request.url).protocol.replace(':', '');
  if (host) origins.add(`${proto}://${host}`);
  return origins;
}
