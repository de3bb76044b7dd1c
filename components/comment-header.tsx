import { formatDateTime } from '@/lib/format';

/**
 * A comment's author, badge and permalink. Rendered on the server for the thread, and in the
 * browser only for a reader's own comment that the server's thread no longer has (see CommentList).
 */
export function CommentHeader({
  id,
  authorName,
  byAuthor,
  createdAt,
}: {
  id: number;
  authorName: string;
  byAuthor: boolean;
  createdAt: string;
}) {
  return (
    <header className="comment-header">
      <span className="comment-author">{authorName}</span>
      {byAuthor && <span className="badge">Author</span>}
      <a className="comment-permalink" href={`#comment-${id}`}>
        <time dateTime={createdAt}>{formatDateTime(createdAt)}</time>
      </a>
    </header>
  );
}
