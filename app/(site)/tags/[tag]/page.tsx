import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PostList } from '@/components/post-list';
import { getSiteIdentity } from '@/lib/site/identity';
import { AppError } from '@/lib/errors';
import { type SearchParams, parseSearchParams } from '@/lib/http/body';
import { pluralize } from '@/lib/site/format';
import { loadPostList, loadTag } from '@/lib/pages/page-data';
import { FEEDS, alternates, jsonLd } from '@/lib/content/seo';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { postListQuerySchema } from '@/lib/content/schemas';
import { tagPath } from '@/lib/content/tags';

type Props = { params: Promise<{ tag: string }>; searchParams: Promise<SearchParams> };

// Paginated by query string, so rendered per request, from cached data.
export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const tag = await loadTag((await params).tag);
  if (!tag) return {};
  const description = `${pluralize(tag.postCount, 'post')} tagged “${tag.name}”.`;
  return {
    title: `Posts tagged “${tag.name}”`,
    description,
    alternates: alternates(tagPath(tag.slug), { ...FEEDS, 'application/rss+xml': `${tagPath(tag.slug)}/feed.xml` }),
    openGraph: { title: `Posts tagged “${tag.name}”`, description, url: tagPath(tag.slug) },
  };
}

export default async function TagPage({ params, searchParams }: Props) {
  const tag = await loadTag((await params).tag);
  if (!tag) notFound();
  let query, page;
  try {
    // A cursor that names no page is a 404, as on the home page.
    query = parseSearchParams(postListQuerySchema, await searchParams, { strict: ['cursor'] });
    page = await loadPostList({ limit: 10, cursor: query.cursor, tag: tag.slug });
  } catch (error) {
    if (error instanceof AppError) notFound();
    throw error;
  }
  const { cursor } = query;
  const breadcrumbs = {
    '@context': 'https://schema.org',
    '@type': 'BreadcrumbList',
    itemListElement: [
      { '@type': 'ListItem', position: 1, name: (await getSiteIdentity()).name, item: absoluteUrl('/') },
      { '@type': 'ListItem', position: 2, name: 'Tags', item: absoluteUrl('/tags') },
      { '@type': 'ListItem', position: 3, name: tag.name, item: tag.url },
    ],
  };

  return (
    <>
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonLd(breadcrumbs) }} />
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link href="/">Home</Link>
          </li>
          <li>
            <Link href="/tags">Tags</Link>
          </li>
          <li aria-current="page">{tag.name}</li>
        </ol>
      </nav>
      <header className="page-header">
        <h1>Posts tagged “{tag.name}”</h1>
        <p className="lede">
          {pluralize(tag.postCount, 'post')} · <a href={`${tagPath(tag.slug)}/feed.xml`}>RSS feed for this tag</a>
        </p>
      </header>
      <PostList posts={page.data} />
      {(cursor || page.nextCursor) && (
        <nav className="pagination" aria-label="More posts">
          {cursor ? <Link href={tagPath(tag.slug)}>← Newest posts</Link> : <span />}
          {page.nextCursor && (
            <Link href={`${tagPath(tag.slug)}?cursor=${encodeURIComponent(page.nextCursor)}`} rel="next">
              Older posts →
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
