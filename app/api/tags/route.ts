import { cachedJson, methodNotAllowed, route } from '@/lib/http';
import { listTags } from '@/lib/content/tags';

export const dynamic = 'force-dynamic';

/** Every tag with published posts; a blog has few enough that one page holds them all. */
export const GET = route((request) => cachedJson(request, { key: ['tags'], tags: [] }, () => ({ data: listTags(), nextCursor: null })));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
