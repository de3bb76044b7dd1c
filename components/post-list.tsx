import Link from 'next/link';
import { formatDate, pluralize } from '@/lib/site/format';
import type { PostSummary } from '@/lib/content/schemas';
import { postPath } from '@/lib/site/paths';
import { siteTimeZone } from '@/lib/site/identity';
import { TagList } from './tag-list';

/*
 * The links of a list are not prefetched as they scroll into view (prefetch={false}): on a phone the
 * home page's ten posts with their tags cost a dozen background requests, and decoding them, while the
 * page was still loading (bench/lighthouse.ts). A click still navigates in place, fetching then.
 */
export async function PostList({ posts }: { posts: PostSummary[] }) {
  if (posts.length === 0) return <p className="empty">No posts yet.</p>;
  const timeZone = await siteTimeZone();
  return (
    <ol className="post-list">
      {posts.map((post) => (
        <li key={post.id}>
          <article className="post-card">
            <h2 className="post-card-title">
              <Link href={postPath(post.slug)} prefetch={false}>
                {post.title}
              </Link>
            </h2>
            <p className="meta">
              <time dateTime={post.publishedAt}>{formatDate(post.publishedAt, timeZone)}</time>
              <span aria-hidden="true"> · </span>
              <Link href={`${postPath(post.slug)}#comments`} prefetch={false}>
                {pluralize(post.commentCount, 'comment')}
              </Link>
            </p>
            {post.summary && <p className="post-card-summary">{post.summary}</p>}
            <TagList tags={post.tags} />
          </article>
        </li>
      ))}
    </ol>
  );
}
