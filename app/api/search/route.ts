import { z } from 'zod';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { listQuerySchema } from '@/lib/pagination';
import { searchPosts } from '@/lib/search';

export const dynamic = 'force-dynamic';

const searchQuerySchema = listQuerySchema.extend({
  q: z.string({ error: 'q is required: the words to search for.' }).max(200, 'q must be at most 200 characters.'),
});

/** Full-text search of published posts, best matches first. Any text is a valid query. */
export const GET = route((request) => {
  const { q, ...page } = parseQuery(searchQuerySchema, request);
  return json(searchPosts(q, page));
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
