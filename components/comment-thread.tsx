import Link from 'next/link';
import { OwnCommentSlot } from '@/components/own-comments';
import type { CommentNode } from '@/lib/comments';
import { formatDateTime } from '@/lib/format';
import { commentAnchor, postPath } from '@/lib/site';

interface Props {
  comments: CommentNode[];
  slug: string;
  canReply: boolean;
}

/** Approved comments, rendered on the server; replies are nested lists under their parent. */
export function CommentThread({ comments, slug, canReply }: Props) {
  return (
    <ol className="comment-list">
      {comments.map((comment) => (
        <li key={comment.id}>
          <article id={commentAnchor(comment.id)} className="comment" tabIndex={-1} aria-label={`Comment by ${comment.authorName}`}>
            <header className="comment-header">
              <span className="comment-author">{comment.authorName}</span>
              {comment.byAuthor && <span className="badge">Author</span>}
              <a className="comment-permalink" href={`#${commentAnchor(comment.id)}`}>
                <time dateTime={comment.createdAt}>{formatDateTime(comment.createdAt)}</time>
              </a>
            </header>
            <div className="comment-body prose" dangerouslySetInnerHTML={{ __html: comment.html }} />
            <footer className="comment-footer">
              {canReply && (
                <Link
                  className="comment-reply"
                  href={{ pathname: postPath(slug), query: { replyTo: comment.id }, hash: 'comment-form' }}
                  aria-label={`Reply to ${comment.authorName}`}
                >
                  Reply
                </Link>
              )}
              <OwnCommentSlot id={comment.id} />
            </footer>
          </article>
          {comment.replies.length > 0 && <CommentThread comments={comment.replies} slug={slug} canReply={canReply} />}
        </li>
      ))}
    </ol>
  );
}
