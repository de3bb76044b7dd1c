import Link from 'next/link';
import type { TagRef } from '@/lib/content/schemas';
import { tagPath } from '@/lib/content/tags';

/** Not prefetched as they scroll into view, like the post list's links (see PostList). */
export function TagList({ tags }: { tags: TagRef[] }) {
  if (tags.length === 0) return null;
  return (
    <div className="tags">
      <span className="visually-hidden">Tags: </span>
      <ul className="tag-list">
        {tags.map((tag) => (
          <li key={tag.slug}>
            <Link href={tagPath(tag.slug)} className="tag" prefetch={false}>
              {tag.name}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
