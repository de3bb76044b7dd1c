import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DeletePostButton, PostListStatus } from '@/components/admin/post-row-actions';
import { requireAuthor } from '@/lib/auth/current-user';
import { AppError } from '@/lib/errors';
import { type SearchParams, parseSearchParams } from '@/lib/http/body';
import { formatDateTime } from '@/lib/site/format';
import { countPostsForAuthor, listPostsForAuthor } from '@/lib/content/posts';
import { type AuthorStatus, authorPostsQuerySchema } from '@/lib/content/schemas';
import { postPath, previewPath } from '@/lib/site/paths';
import { siteTimeZone } from '@/lib/site/identity';

export const metadata: Metadata = { title: 'Posts', description: 'Your posts: drafts, scheduled and published.' };

type Props = { searchParams: Promise<SearchParams> };

const STATUS_LABEL = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published' } as const;

/** The tabs, "All" first; each status is named as the list of it is. */
const TABS: [AuthorStatus | undefined, string][] = [
  [undefined, 'All'],
  ['draft', 'Drafts'],
  ['scheduled', 'Scheduled'],
  ['published', 'Published'],
];

const NONE = { draft: 'drafts', scheduled: 'scheduled posts', published: 'published posts' } as const;

/** The list's own address with these parameters; empty ones are left out. */
function listHref(params: { q?: string; status?: AuthorStatus; cursor?: string }): string {
  const search = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return search.size > 0 ? `/admin/posts?${search}` : '/admin/posts';
}

function emptyMessage(q: string, status: AuthorStatus | undefined): string {
  if (q) return `No ${status ? NONE[status] : 'posts'} match “${q}”.`;
  return status ? `No ${NONE[status]}.` : 'No posts yet. Write your first one!';
}

export default async function AdminPostsPage({ searchParams }: Props) {
  await requireAuthor('/admin/posts');
  const timeZone = await siteTimeZone();
  const query = await searchParams;
  let list, page;
  try {
    // An unknown status shows all posts; a cursor that names no page is a 404.
    list = parseSearchParams(authorPostsQuerySchema, query, { strict: ['cursor'] });
    page = await listPostsForAuthor({ ...list, limit: 25 });
  } catch (error) {
    if (error instanceof AppError) notFound();
    throw error;
  }
  const { q = '', status, cursor } = list;
  const counts = await countPostsForAuthor({ q });

  return (
    <>
      <div className="admin-heading">
        <h1>Posts</h1>
        <Link className="button" href="/admin/posts/new">
          New post
        </Link>
      </div>
      {/* A new list (another tab, search or page) starts with an empty status line. */}
      <PostListStatus key={listHref({ q, status, cursor })} initialMessage={query.deleted === '1' ? 'The post was deleted.' : ''}>
        <form className="search-form" role="search" action="/admin/posts">
          <label htmlFor="post-search">Search posts</label>
          <input id="post-search" name="q" type="search" defaultValue={q} maxLength={200} />
          {status && <input type="hidden" name="status" value={status} />}
          <button type="submit" className="secondary">
            Search
          </button>
        </form>
        <nav className="tabs" aria-label="Post status">
          <ul>
            {TABS.map(([value, label]) => (
              <li key={label}>
                <Link href={listHref({ q, status: value })} aria-current={value === status ? 'page' : undefined}>
                  {label} ({counts[value ?? 'all']})
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {page.data.length === 0 ? (
          <p className="empty">{emptyMessage(q, status)}</p>
        ) : (
          <table className="admin-table stack-table">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Published</th>
                <th scope="col">Updated</th>
                <th scope="col">Comments</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
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
                  <td data-label="Published">
                    {post.publishedAt && post.status !== 'draft' ? formatDateTime(post.publishedAt, timeZone) : '—'}
                  </td>
                  <td data-label="Updated">{formatDateTime(post.updatedAt, timeZone)}</td>
                  <td data-label="Comments">{post.commentCount}</td>
                  <td>
                    <div className="row-actions">
                      {/* Readers' page once it is live; until then the preview only its author can open. */}
                      {post.status === 'published' ? (
                        <a href={postPath(post.slug)}>
                          View<span className="visually-hidden"> “{post.title}”</span>
                        </a>
                      ) : (
                        <a href={previewPath(post.slug)}>
                          Preview<span className="visually-hidden"> “{post.title}”</span>
                        </a>
                      )}
                      <DeletePostButton slug={post.slug} title={post.title} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PostListStatus>
      {page.nextCursor && (
        <nav className="pagination" aria-label="More posts">
          <span />
          <Link href={listHref({ q, status, cursor: page.nextCursor })}>Older posts →</Link>
        </nav>
      )}
    </>
  );
}
