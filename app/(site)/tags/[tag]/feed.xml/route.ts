import { feedResponse } from '@/lib/content/feeds';
import { methodNotAllowed, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** RSS 2.0 for one tag: its latest 20 posts in full. */
export const GET = route<{ tag: string }>(async (request, { params }) => feedResponse(request, 'rss', (await params).tag));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
