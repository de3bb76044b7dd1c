import Link from 'next/link';
import { formatDate, pluralize } from '@/lib/format';
import type { PostSummary } from '@/lib/posts';
import { postPath } from '@/lib/site';
import { TagList } from './tag-list';

export function PostList({ posts }: { posts: PostSummary[] }) {
  if (posts.length === 0) return <p className="empty">No posts yet.</p>;
  return (
    <ol className="post-list">
      {posts.map((post) => (
        <li key={post.id}>
          <article className="post-card">
            <h2 className="post-card-title">
              <Link href={postPath(post.slug)}>{post.title}</Link>
            </h2>
            <p className="meta">
              <time dateTime={post.publishedAt}>{formatDate(post.publishedAt)}</time>
              <span aria-hidden="true"> · </span>
              <Link href={`${postPath(post.slug)}#comments`}>{pluralize(post.commentCount, 'comment')}</Link>
            </p>
            {post.summary && <p className="post-card-summary">{post.summary}</p>}
            <TagList tags={post.tags} />
          </article>
        </li>
      ))}
    </ol>
  );
}
