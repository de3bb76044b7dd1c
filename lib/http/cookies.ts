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

/** Served over HTTPS (directly or behind a proxy that says so): cookies then get `Secure`. */
export function isHttps(request: Request): boolean {
  return request.headers.get('x-forwarded-proto') === 'https' || new URL(request.url).protocol === 'https:';
}

/**
 * Set while an author is signed in, readable by the page's script: cached public pages show the
 * author an "Edit" link with it. It grants nothing; the session cookie beside it stays HttpOnly.
 */
export const SIGNED_IN_HINT_COOKIE = 'quire_signed_in';

/** A Set-Cookie value: HttpOnly (unless it is the hint above) and SameSite=Lax, Secure over HTTPS. */
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
