import type { Metadata } from 'next';
import Link from 'next/link';
import { pluralize } from '@/lib/site/format';
import { alternates } from '@/lib/content/seo';
import { loadTags } from '@/lib/pages/page-data';
import { tagPath } from '@/lib/content/tags';

// Rendered per request (it would otherwise be prerendered at build time, from no database) from cached data.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Tags',
  description: 'Every topic on this blog, with the number of posts on each.',
  alternates: alternates('/tags'),
};

export default async function TagsPage() {
  const tags = await loadTags();
  return (
    <>
      <header className="page-header">
        <h1>Tags</h1>
        <p className="lede">Every topic on this blog.</p>
      </header>
      {tags.length === 0 ? (
        <p className="empty">No tags yet.</p>
      ) : (
        <ul className="tag-index">
          {tags.map((tag) => (
            <li key={tag.slug}>
              <Link href={tagPath(tag.slug)}>{tag.name}</Link> <span className="meta">{pluralize(tag.postCount, 'post')}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
