import { cachedJson, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { searchQuerySchema } from '@/lib/api/requests';
import { searchPosts } from '@/lib/content/search';

export const dynamic = 'force-dynamic';

/** Full-text search of published posts, best matches first. Any text is a valid query. */
export const GET = route((request) => {
  const { q, ...page } = parseQuery(searchQuerySchema, request);
  return cachedJson(request, { key: ['search', q, page.limit, page.cursor ?? null], tags: [] }, () => searchPosts(q, page));
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
