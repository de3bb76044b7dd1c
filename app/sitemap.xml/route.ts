import { methodNotAllowed, route } from '@/lib/http';
import { sitemapIndexResponse } from '@/lib/content/sitemaps';

// Built at request time and cached until a post changes: a post published or deleted a moment ago is reflected.
export const dynamic = 'force-dynamic';

/** The sitemap index; Next's generateSitemaps writes shards but no index (vercel/next.js#77304). */
export const GET = route((request) => sitemapIndexResponse(request));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
