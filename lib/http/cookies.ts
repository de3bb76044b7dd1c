import { getEnv } from '@/lib/env';

/** Reads one cookie from a request's Cookie header. */
export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Whether cookies get `Secure`: always when the public address (SITE_URL) is https, since behind a
 * proxy that ends TLS the request itself looks like http; otherwise when this request came over https.
 */
export function isHttps(request: Request): boolean {
  if (getEnv().SITE_URL.startsWith('https:')) return true;
  return request.headers.get('x-forwarded-proto') === 'https' || new URL(request.url).protocol === 'https:';
}

/** A Set-Cookie value: HttpOnly (unless `httpOnly: false`, as for lib/auth/signed-in-hint.ts) and SameSite=Lax, Secure over HTTPS (`isHttps`). */
export function serializeCookie(
  request: Request,
  name: string,
  value: string,
  maxAgeSeconds: number,
  { httpOnly = true }: { httpOnly?: boolean } = {},
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    ...(httpOnly ? ['HttpOnly'] : []),
    'SameSite=Lax',
    ...(isHttps(request) ? ['Secure'] : []),
  ].join('; ');
}
