import type { Metadata } from 'next';
import Link from 'next/link';
import { formatDate } from '@/lib/site/format';
import { searchQuerySchema } from '@/lib/content/schemas';
import { searchPosts } from '@/lib/content/search';
import { alternates } from '@/lib/content/seo';
import { siteTimeZone } from '@/lib/site/identity';
import { type SearchParams, parseSearchParams } from '@/lib/http/body';

export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<SearchParams> };

/** The API's query: without words (or with too many), the page shows the empty form. */
const readQuery = (params: SearchParams) => parseSearchParams(searchQuerySchema, params, { defaults: { q: '' } });

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const query = readQuery(await searchParams).q.trim();
  return {
    title: query ? `Search: ${query}` : 'Search',
    description: 'Search every post on this blog.',
    alternates: alternates('/search'),
    // Result pages are endless and thin; crawlers should index the posts themselves.
    robots: { index: false, follow: true },
  };
}

export default async function SearchPage({ searchParams }: Props) {
  const { q, cursor } = readQuery(await searchParams);
  const timeZone = await siteTimeZone();
  let results;
  try {
    results = q.trim() ? await searchPosts(q, { limit: 10, cursor }) : undefined;
  } catch {
    // A stale or hand-made cursor: start again from the first page.
    results = await searchPosts(q, { limit: 10 });
  }

  return (
    <>
      <header className="page-header">
        <h1>Search</h1>
      </header>
      {/* Named, like the header's (components/header-search.tsx): two search landmarks must be told apart. */}
      <form role="search" aria-labelledby="search-page-label" action="/search" className="search-form">
        <label id="search-page-label" htmlFor="search-page-q">
          Search posts
        </label>
        <input id="search-page-q" name="q" type="search" defaultValue={q} maxLength={200} aria-describedby="search-help" />
        <button type="submit">Search</button>
        <p id="search-help" className="hint">
          Words match as you type them, “quoted phrases” match exactly, and -word leaves out posts with that word.
        </p>
      </form>
      {results && (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading" className="results-heading">
            {results.data.length === 0 ? `No posts match “${q}”.` : `Results for “${q}”`}
          </h2>
          <ol className="post-list">
            {results.data.map((result) => (
              <li key={result.id}>
                <article className="post-card">
                  <h3 className="post-card-title">
                    {/* Not prefetched as they scroll into view, like the post list's links (components/post-list.tsx). */}
                    <Link href={`/posts/${result.slug}`} prefetch={false}>
                      {result.title}
                    </Link>
                  </h3>
                  <p className="meta">
                    <time dateTime={result.publishedAt}>{formatDate(result.publishedAt, timeZone)}</time>
                  </p>
                  <p className="snippet" dangerouslySetInnerHTML={{ __html: result.snippet }} />
                </article>
              </li>
            ))}
          </ol>
          {results.nextCursor && (
            <nav className="pagination" aria-label="More results">
              <span />
              <Link href={`/search?${new URLSearchParams({ q, cursor: results.nextCursor })}`} rel="next">
                More results →
              </Link>
            </nav>
          )}
        </section>
      )}
    </>
  );
}
