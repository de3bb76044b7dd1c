const SITE_BASE = 'http://site.invalid';

/**
 * A path on this site for `next` parameters and redirects, or `fallback`. Browsers strip tabs and
 * newlines from URLs and read `\\` as `/`, so `/\t/evil.example` would leave the site: anything
 * with control characters, whitespace or a backslash is refused, and what remains must resolve to
 * this site's origin. The result is percent-encoded (a header holds only Latin-1).
 */
export function localPath(path: unknown, fallback: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\u0000-\u0020\u007f-\u00a0\\\u2028\u2029]/.test(path)) return fallback;
  let url: URL;
  try {
    url = new URL(path, SITE_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== SITE_BASE) return fallback;
  const local = `${url.pathname}${url.search}${url.hash}`;
  return local.startsWith('//') ? fallback : local;
}
