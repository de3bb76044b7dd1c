import Link from 'next/link';
import type { TagRef } from '@/lib/posts';
import { tagPath } from '@/lib/tags';

export function TagList({ tags }: { tags: TagRef[] }) {
  if (tags.length === 0) return null;
  return (
    <div className="tags">
      <span className="visually-hidden">Tags: </span>
      <ul className="tag-list">
        {tags.map((tag) => (
          <li key={tag.slug}>
            <Link href={tagPath(tag.slug)} className="tag">
              {tag.name}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
