import { createHash, timingSafeEqual } from 'node:crypto';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison; hashing first makes it independent of the lengths too. */
function tokensMatch(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Every write to posts requires `Authorization: Bearer <ADMIN_TOKEN>`. */
export function requireAdmin(request: Request): void {
  const expected = getEnv().ADMIN_TOKEN;
  if (!expected) {
    throw new AppError(
      'unauthorized',
      'Writes are disabled because no admin token is configured. Set the ADMIN_TOKEN environment variable (at least 16 characters, e.g. `openssl rand -hex 32`) and restart the server.',
      { headers: { 'WWW-Authenticate': 'Bearer realm="quire"' } },
    );
  }
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.get('authorization') ?? '');
  if (!match?.[1] || !tokensMatch(match[1], expected)) {
    throw new AppError('unauthorized', 'Send a valid admin token as "Authorization: Bearer <token>".', {
      headers: { 'WWW-Authenticate': 'Bearer realm="quire", error="invalid_token"' },
    });
  }
}
