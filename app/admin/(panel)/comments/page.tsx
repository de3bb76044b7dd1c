import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ModerationQueue } from '@/components/admin/moderation-queue';
import { countCommentsByStatus, listCommentsForModeration, listPostsWithComments } from '@/lib/comments/moderation-queue';
import { type CommentStatus, moderationQuerySchema } from '@/lib/comments/schemas';
import { requireAuthor } from '@/lib/auth/current-user';
import { AppError } from '@/lib/errors';
import { type SearchParams, parseSearchParams } from '@/lib/http/body';
import { formatDateTime } from '@/lib/site/format';
import { postPath } from '@/lib/site/paths';
import { siteTimeZone } from '@/lib/site/identity';

export const metadata: Metadata = { title: 'Comments', description: 'Moderate comments.' };

const TABS: [CommentStatus, string][] = [
  ['pending', 'Pending'],
  ['approved', 'Approved'],
  ['spam', 'Spam'],
];

type Props = { searchParams: Promise<SearchParams> };

/** The queue's address with the filters that are set; an empty post or search is left out. */
function queueHref(query: { status: CommentStatus; post?: string; q?: string; cursor?: string }): string {
  const params = Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1]));
  return `/admin/comments?${new URLSearchParams(params)}`;
}

export default async function AdminCommentsPage({ searchParams }: Props) {
  const user = await requireAuthor('/admin/comments');
  const timeZone = await siteTimeZone();
  let filter, page, counts;
  try {
    // An unknown status shows the pending comments; a cursor or a post that names nothing is a 404.
    const query = parseSearchParams(moderationQuerySchema, await searchParams, { strict: ['cursor', 'post'] });
    filter = { ...query, post: query.post?.trim() ?? '', q: query.q?.trim() ?? '' };
    page = await listCommentsForModeration({ ...filter, limit: 50 });
    // Counts follow the post, not the search: counting matches would read every comment of every status.
    counts = filter.q ? undefined : await countCommentsByStatus(filter.post);
  } catch (error) {
    if (error instanceof AppError) notFound();
    throw error;
  }
  const { status, cursor, post, q } = filter;
  const posts = await listPostsWithComments();
  // A post named in the address is offered even when it is not among the recent ones (or has no comments yet).
  const current = post && !posts.some((p) => p.slug === post) ? (page.data[0]?.postTitle ?? post) : undefined;
  const emptyMessage = `No ${status} comments${post ? ' on this post' : ''}${q ? ` match “${q}”` : ''}.`;

  return (
    <>
      <h1>Comments</h1>
      <form className="inline-form queue-filter" role="search" aria-label="Filter comments" action="/admin/comments">
        <input type="hidden" name="status" value={status} />
        <div className="field">
          <label htmlFor="filter-post">Post</label>
          <select id="filter-post" name="post" defaultValue={post}>
            <option value="">All posts</option>
            {current && <option value={post}>{current}</option>}
            {posts.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-q">
            Search comments <span className="optional">(text, name or email)</span>
          </label>
          <input id="filter-q" name="q" type="search" defaultValue={q} maxLength={200} />
        </div>
        <button type="submit" className="secondary">
          Filter
        </button>
        {(post || q) && <Link href={queueHref({ status })}>Clear filters</Link>}
      </form>
      <nav className="tabs" aria-label="Comment status">
        <ul>
          {TABS.map(([value, label]) => (
            <li key={value}>
              <Link href={queueHref({ status: value, post, q })} aria-current={value === status ? 'page' : undefined}>
                {label}
                {counts && ` (${counts[value]})`}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ModerationQueue
        key={queueHref({ status, post, q, cursor })}
        status={status}
        authorName={user.name}
        emptyMessage={emptyMessage}
        comments={page.data.map((comment) => ({
          ...comment,
          postPath: postPath(comment.postSlug),
          createdLabel: formatDateTime(comment.createdAt, timeZone),
          editedLabel: comment.editedAt && formatDateTime(comment.editedAt, timeZone),
        }))}
      />
      {page.nextCursor && (
        <nav className="pagination" aria-label="More comments">
          <span />
          <Link href={queueHref({ status, post, q, cursor: page.nextCursor })}>Older comments →</Link>
        </nav>
      )}
    </>
  );
}
