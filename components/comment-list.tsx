'use client';

import { Fragment, type ReactNode } from 'react';
import { CommentCard } from '@/components/comment-card';
import { CommentHeader } from '@/components/comment-header';
import { useCommentOverrides } from '@/components/comment-overrides';
import { useHeldComments } from '@/components/own-comments';
import type { PublicComment } from '@/lib/comments/schemas';

/**
 * One level of the thread: the server's comments, plus the reader's own comments that await
 * moderation: those held when they were sent (asked for by the browser, see OwnCommentsProvider)
 * and those whose edit was held. The cached page leaves them out (only approved comments are
 * public), so the reader would see theirs vanish; they are shown to them alone, marked, in their
 * place. A level is oldest first, so a comment's place is found by its id.
 */
export function CommentList({ parentId, items }: { parentId: number | null; items: { id: number; node: ReactNode }[] }) {
  const overrides = useCommentOverrides();
  const { held } = useHeldComments();
  const present = new Set(items.map((item) => item.id));
  const merged = [...items];
  const insert = (id: number, node: ReactNode) => {
    present.add(id);
    const at = merged.findIndex((item) => item.id > id);
    merged.splice(at === -1 ? merged.length : at, 0, { id, node });
  };
  for (const comment of held) {
    if (comment.parentId !== parentId || present.has(comment.id) || overrides.get(comment.id)?.deleted) continue;
    insert(comment.id, <HeldCard {...comment} awaiting />);
  }
  for (const [id, override] of overrides) {
    if (override.deleted || override.status === 'approved' || override.parentId !== parentId || present.has(id)) continue;
    insert(id, <HeldCard id={id} {...override} />);
  }
  if (merged.length === 0) return null;
  return (
    <ol className="comment-list">
      {merged.map(({ id, node }) => (
        <Fragment key={id}>{node}</Fragment>
      ))}
    </ol>
  );
}

/** A comment only its reader sees, drawn in the browser; it cannot be answered before it is approved. */
function HeldCard({
  id,
  authorName,
  createdAt,
  parentId,
  html,
  awaiting,
}: Pick<PublicComment, 'id' | 'authorName' | 'createdAt' | 'parentId' | 'html'> & { awaiting?: boolean }) {
  return (
    <li>
      <CommentCard
        id={id}
        authorName={authorName}
        createdAt={createdAt}
        parentId={parentId}
        html={html}
        awaiting={awaiting}
        header={<CommentHeader id={id} authorName={authorName} byAuthor={false} createdAt={createdAt} />}
      />
    </li>
  );
}
