import { getEnv } from '@/lib/env';

export const postPath = (slug: string) => `/posts/${slug}`;
export const commentAnchor = (id: number) => `comment-${id}`;

/** Absolute URL on the public site, built from SITE_URL so links are right behind any proxy. */
export function absoluteUrl(path: string): string {
  return `${getEnv().SITE_URL}${path}`;
}
