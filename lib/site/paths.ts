/* Paths on the site: no configuration here, so client components import them (absolute-url.ts adds SITE_URL). */

export const postPath = (slug: string) => `/posts/${slug}`;
/** Where the author reads a draft or scheduled post as readers will see it (signed in only). */
export const previewPath = (slug: string) => `${postPath(slug)}/preview`;
export const commentAnchor = (id: number) => `comment-${id}`;
