import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ModerationQueue } from '@/components/admin/moderation-queue';
import type { CommentStatus } from '@/db/schema';
import { countCommentsByStatus, listCommentsForModeration } from '@/lib/comments';
import { requireAuthor } from '@/lib/current-user';
import { AppError } from '@/lib/errors';
import { formatDateTime } from '@/lib/format';

export const metadata: Metadata = { title: 'Comments', description: 'Moderate comments.' };

const TABS: [CommentStatus, string][] = [
  ['pending', 'Pending'],
  ['approved', 'Approved'],
  ['spam', 'Spam'],
];

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminCommentsPage({ searchParams }: Props) {
  const user = await requireAuthor('/admin/comments');
  const query = await searchParams;
  const status = TABS.find(([value]) => value === query.status)?.[0] ?? 'pending';
  const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
  const counts = countCommentsByStatus();
  let page;
  try {
    page = listCommentsForModeration({ status, limit: 50, cursor });
  } catch (error) {
    if (error instanceof AppError) notFound();
    throw error;
  }

  return (
    <>
      <h1>Comments</h1>
      <nav className="tabs" aria-label="Comment status">
        <ul>
          {TABS.map(([value, label]) => (
            <li key={value}>
              <Link href={`/admin/comments?status=${value}`} aria-current={value === status ? 'page' : undefined}>
                {label} ({counts[value]})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ModerationQueue
        key={`${status}-${cursor ?? ''}`}
        status={status}
        authorName={user.name}
        comments={page.data.map((comment) => ({ ...comment, createdLabel: formatDateTime(comment.createdAt) }))}
      />
      {page.nextCursor && (
        <nav className="pagination" aria-label="More comments">
          <span />
          <Link href={`/admin/comments?${new URLSearchParams({ status, cursor: page.nextCursor })}`}>Older comments →</Link>
        </nav>
      )}
    </>
  );
}
