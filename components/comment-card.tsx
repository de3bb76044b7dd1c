'use client';

import { type ReactNode, useEffect, useRef, useState } from 'react';
import { CommentFormUnder } from '@/components/comment-form';
import { useCommentOverride } from '@/components/comment-overrides';
import { ReplyLink } from '@/components/comment-section';
import { HELD_EDIT_NOTICE, OwnCommentButtons, OwnCommentEditor } from '@/components/own-comment-actions';
import { useOwnComment } from '@/components/own-comments';

interface Props {
  id: number;
  authorName: string;
  createdAt: string;
  /** The comment it is shown under in the thread, or null at the top. */
  parentId: number | null;
  /** The comment's HTML as the server rendered it (maybe from a cache older than the reader's edit). */
  html: string;
  /** Author, badge and permalink, rendered on the server. */
  header: ReactNode;
  /** The no-JavaScript reply link (the respond page); absent when comments are closed. */
  replyHref?: string;
  /** The reader's own comment, held for moderation when it was sent: shown to them alone. */
  awaiting?: boolean;
}

export const AWAITING_NOTICE = 'Awaiting moderation: only you can see this comment until it is approved.';

/**
 * One comment of the thread. The server renders it for everyone; in the browser it also shows
 * what only this reader may see: the edit and delete buttons on their own comments, their
 * latest edit or delete over an older cached page, and the comment form while they answer it.
 */
export function CommentCard({ id, authorName, createdAt, parentId, html, header, replyHref, awaiting = false }: Props) {
  const override = useCommentOverride(id);
  const { source } = useOwnComment(id);
  const [editing, setEditing] = useState(false);
  const editRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  // Closing the edit box puts focus back on Edit, where the reader left it.
  useEffect(() => {
    if (editing || !returnFocus.current) return;
    returnFocus.current = false;
    editRef.current?.focus();
  }, [editing]);

  if (override?.deleted) return null;
  const edited = override;
  const held = awaiting || (edited !== undefined && edited.status !== 'approved');
  const editable = source !== undefined;

  const closeEditor = () => {
    returnFocus.current = true;
    setEditing(false);
  };

  return (
    <>
      <article
        id={`comment-${id}`}
        className={held ? 'comment comment-held' : 'comment'}
        tabIndex={-1}
        aria-label={`Comment by ${authorName}`}
      >
        {header}
        {editing && editable ? (
          <OwnCommentEditor comment={{ id, authorName, createdAt, parentId }} source={edited?.body ?? source} onClose={closeEditor} />
        ) : (
          <>
            <div className="comment-body prose" dangerouslySetInnerHTML={{ __html: edited?.html ?? html }} />
            {held && <p className="comment-held-notice">{edited?.status === 'pending' ? HELD_EDIT_NOTICE : AWAITING_NOTICE}</p>}
            <footer className="comment-footer">
              {/* A comment waiting for approval cannot be answered yet. */}
              {replyHref && !held && <ReplyLink target={{ id, authorName }} href={replyHref} />}
              {editable && <OwnCommentButtons id={id} editRef={editRef} onEdit={() => setEditing(true)} />}
            </footer>
          </>
        )}
      </article>
      <CommentFormUnder id={id} />
    </>
  );
}
