import { getEnv } from '@/lib/env';

export const postPath = (slug: string) => `/posts/${slug}`;
/** Where the author reads a draft or scheduled post as readers will see it (signed in only). */
export const previewPath = (slug: string) => `${postPath(slug)}/preview`;
export const commentAnchor = (id: number) => `comment-${id}`;

/** Absolute URL on the public site, built from SITE_URL so links are right behind any proxy. */
export function absoluteUrl(path: string): string {
  return `${getEnv().SITE_URL}${path}`;
}
