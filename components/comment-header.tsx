import { formatDateTime } from '@/lib/site/format';

/**
 * A comment's author, badge and permalink. Rendered on the server for the thread, and in the
 * browser only for a reader's own comment that the server's thread no longer has (see CommentList).
 */
export function CommentHeader({
  id,
  authorName,
  byAuthor,
  createdAt,
  timeZone,
}: {
  id: number;
  authorName: string;
  byAuthor: boolean;
  createdAt: string;
  /** The site's zone on the server; left out in the browser, the reader's own. */
  timeZone?: string;
}) {
  return (
    <header className="comment-header">
      <span className="comment-author">{authorName}</span>
      {byAuthor && <span className="badge">Author</span>}
      <a className="comment-permalink" href={`#comment-${id}`}>
        <time dateTime={createdAt}>{formatDateTime(createdAt, timeZone)}</time>
      </a>
    </header>
  );
}
