import { feedResponse } from '@/lib/content/feeds';
import { methodNotAllowed, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** Atom: the latest 20 posts in full. */
export const GET = route((request) => feedResponse(request, 'atom'));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
