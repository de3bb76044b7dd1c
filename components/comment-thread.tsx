import { CommentCard } from '@/components/comment-card';
import { CommentHeader } from '@/components/comment-header';
import { CommentList } from '@/components/comment-list';
import type { CommentNode } from '@/lib/comments/schemas';
import { postPath } from '@/lib/site/paths';

interface Props {
  comments: CommentNode[];
  slug: string;
  canReply: boolean;
  /** The site's time zone, so the cached page shows every reader the same times. */
  timeZone: string;
  parentId?: number | null;
}

/**
 * Approved comments, rendered on the server; replies are nested lists under their parent. Each
 * comment is a client component, for what only its reader sees (see CommentCard and CommentList).
 */
export function CommentThread({ comments, slug, canReply, timeZone, parentId = null }: Props) {
  return (
    <CommentList
      parentId={parentId}
      items={comments.map((comment) => ({
        id: comment.id,
        node: (
          <li>
            <CommentCard
              id={comment.id}
              authorName={comment.authorName}
              createdAt={comment.createdAt}
              parentId={parentId}
              html={comment.html}
              replyHref={canReply ? `${postPath(slug)}?replyTo=${comment.id}#comment-form` : undefined}
              header={
                <CommentHeader
                  id={comment.id}
                  authorName={comment.authorName}
                  byAuthor={comment.byAuthor}
                  createdAt={comment.createdAt}
                  timeZone={timeZone}
                />
              }
            />
            {/* Even without replies: the reader's own reply, held for approval, is shown to them here. */}
            <CommentThread comments={comment.replies} slug={slug} canReply={canReply} timeZone={timeZone} parentId={comment.id} />
          </li>
        ),
      }))}
    />
  );
}
