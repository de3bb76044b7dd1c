import { getEnv } from '@/lib/env';

/**
 * Absolute URL on the public site, built from SITE_URL so links are right behind any proxy. Apart from
 * paths.ts, which client components import: the configuration is the server's and stays out of their bundle.
 */
export function absoluteUrl(path: string): string {
  return `${getEnv().SITE_URL}${path}`;
}
