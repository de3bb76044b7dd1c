import type { Metadata } from 'next';
import Link from 'next/link';
import { pluralize } from '@/lib/format';
import { alternates } from '@/lib/seo';
import { listTags, tagPath } from '@/lib/tags';

export const metadata: Metadata = {
  title: 'Tags',
  description: 'Every topic on this blog, with the number of posts on each.',
  alternates: alternates('/tags'),
};

export default function TagsPage() {
  const tags = listTags();
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
