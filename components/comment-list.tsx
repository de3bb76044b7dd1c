'use client';

import { Fragment, type ReactNode } from 'react';
import { CommentCard } from '@/components/comment-card';
import { CommentHeader } from '@/components/comment-header';
import { useCommentOverrides } from '@/components/comment-overrides';

/**
 * One level of the thread: the server's comments, plus the reader's own comments whose edit is
 * held for approval. A fresh page leaves those out (only approved comments are public), and the
 * reader would see theirs vanish; it stays, marked as waiting, where it was. Own comments are at
 * most an edit window old, and a level is oldest first, so its place is found by its id.
 */
export function CommentList({ parentId, items }: { parentId: number | null; items: { id: number; node: ReactNode }[] }) {
  const overrides = useCommentOverrides();
  const present = new Set(items.map((item) => item.id));
  const merged = [...items];
  for (const [id, override] of overrides) {
    if (override.deleted || override.status === 'approved' || override.parentId !== parentId || present.has(id)) continue;
    const node = (
      <li>
        <CommentCard
          id={id}
          authorName={override.authorName}
          createdAt={override.createdAt}
          parentId={parentId}
          html={override.html}
          header={<CommentHeader id={id} authorName={override.authorName} byAuthor={false} createdAt={override.createdAt} />}
        />
      </li>
    );
    const at = merged.findIndex((item) => item.id > id);
    merged.splice(at === -1 ? merged.length : at, 0, { id, node });
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
