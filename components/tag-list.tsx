import Link from 'next/link';
import type { TagRef } from '@/lib/posts';
import { tagPath } from '@/lib/tags';

export function TagList({ tags, label = 'Tags' }: { tags: TagRef[]; label?: string }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tag-list" aria-label={label}>
      {tags.map((tag) => (
        <li key={tag.slug}>
          <Link href={tagPath(tag.slug)} className="tag">
            {tag.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}
