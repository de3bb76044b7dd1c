export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX_LENGTH = 100;

/** Whether a URL segment could name a post or tag: anything else is a 404 without a query or a cache entry. */
export const isSlug = (value: string): boolean => value.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(value);

/**
 * The slug words of a title: ASCII letters and digits joined by hyphens ("Café & Crème!" becomes
 * "cafe-and-creme"), or "" when it has none (only symbols or emoji, or a script without Latin letters).
 */
export function slugWords(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
}

/** A URL slug from a name, never empty: a name without slug words becomes "post" (tags; posts use postSlugFallback). */
export function slugify(title: string): string {
  return slugWords(title) || 'post';
}

/**
 * The slug of a post whose title has no slug words. Its id makes it unique and stable, where a fixed word
 * ("untitled", "untitled-2" ...) would be shared by every such post and tell them apart by creation order.
 */
export const postSlugFallback = (id: number): string => `post-${id}`;

/** Whether `slug` is the fallback of post `id`, or that fallback made unique with a number ("post-7-2"). */
export const isPostSlugFallback = (slug: string, id: number): boolean => new RegExp(`^${postSlugFallback(id)}(?:-\\d+)?$`).test(slug);
