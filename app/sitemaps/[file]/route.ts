import { methodNotAllowed, route } from '@/lib/http';
import { sitemapShardResponse } from '@/lib/content/sitemaps';

export const dynamic = 'force-dynamic';

/** One sitemap shard: pages.xml, posts-N.xml or tags-N.xml. */
export const GET = route<{ file: string }>(async (_request, { params }) => sitemapShardResponse((await params).file));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
