import Link from 'next/link';
import type { CommentNode } from '@/lib/comments';
import { formatDateTime } from '@/lib/format';
import { commentAnchor, postPath } from '@/lib/site';

/** Approved comments, rendered on the server; replies are nested lists under their parent. */
export function CommentThread({ comments, slug }: { comments: CommentNode[]; slug: string }) {
  return (
    <ol className="comment-list">
      {comments.map((comment) => (
        <li key={comment.id}>
          <article id={commentAnchor(comment.id)} className="comment" tabIndex={-1} aria-label={`Comment by ${comment.authorName}`}>
            <header className="comment-header">
              <span className="comment-author">{comment.authorName}</span>
              <a className="comment-permalink" href={`#${commentAnchor(comment.id)}`}>
                <time dateTime={comment.createdAt}>{formatDateTime(comment.createdAt)}</time>
              </a>
            </header>
            <div className="comment-body prose" dangerouslySetInnerHTML={{ __html: comment.html }} />
            <Link
              className="comment-reply"
              href={{ pathname: postPath(slug), query: { replyTo: comment.id }, hash: 'comment-form' }}
              aria-label={`Reply to ${comment.authorName}`}
            >
              Reply
            </Link>
          </article>
          {comment.replies.length > 0 && <CommentThread comments={comment.replies} slug={slug} />}
        </li>
      ))}
    </ol>
  );
}
