import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAuthor } from '@/lib/current-user';
import { AppError } from '@/lib/errors';
import { formatDateTime } from '@/lib/format';
import { listPostsForAuthor } from '@/lib/posts';

export const metadata: Metadata = { title: 'Posts', description: 'Your posts: drafts, scheduled and published.' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const STATUS_LABEL = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published' } as const;

export default async function AdminPostsPage({ searchParams }: Props) {
  await requireAuthor('/admin/posts');
  const query = await searchParams;
  const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
  const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
  let page;
  try {
    page = listPostsForAuthor({ limit: 25, cursor, q });
  } catch (error) {
    if (error instanceof AppError) notFound();
    throw error;
  }

  return (
    <>
      <div className="admin-heading">
        <h1>Posts</h1>
        <Link className="button" href="/admin/posts/new">
          New post
        </Link>
      </div>
      {query.deleted === '1' && <p role="status">The post was deleted.</p>}
      <form className="search-form" role="search" action="/admin/posts">
        <label htmlFor="post-search">Search titles</label>
        <input id="post-search" name="q" type="search" defaultValue={q} />
        <button type="submit" className="secondary">
          Search
        </button>
      </form>
      {page.data.length === 0 ? (
        <p className="empty">{q ? `No post titles contain “${q}”.` : 'No posts yet. Write your first one!'}</p>
      ) : (
        <table className="admin-table stack-table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Published</th>
              <th scope="col">Updated</th>
              <th scope="col">Comments</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((post) => (
              <tr key={post.id}>
                <td className="stack-title">
                  <Link href={`/admin/posts/${post.id}`}>{post.title}</Link>
                </td>
                <td data-label="Status">
                  <span className={`badge badge-${post.status}`}>{STATUS_LABEL[post.status]}</span>
                </td>
                <td data-label="Published">{post.publishedAt && post.status !== 'draft' ? formatDateTime(post.publishedAt) : '—'}</td>
                <td data-label="Updated">{formatDateTime(post.updatedAt)}</td>
                <td data-label="Comments">{post.commentCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.nextCursor && (
        <nav className="pagination" aria-label="More posts">
          <span />
          <Link href={`/admin/posts?${new URLSearchParams({ ...(q ? { q } : {}), cursor: page.nextCursor })}`}>Older posts →</Link>
        </nav>
      )}
    </>
  );
}
