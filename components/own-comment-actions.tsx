'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, type RefObject, useEffect, useRef, useState } from 'react';
import { callApi } from '@/components/api-client';
import { type CommentEdit, setCommentOverride } from '@/components/comment-overrides';
import { useCommentSection } from '@/components/comment-section';
import { Field, FormError, controlProps } from '@/components/field';
import { sendOnCtrlEnter, useLengthLimit } from '@/components/length-limit';
import { useHeldComments, useOwnComment } from '@/components/own-comments';
import { COMMENT_MAX_LENGTH, type OwnCommentEdit } from '@/lib/comments/schemas';

export const HELD_EDIT_NOTICE = 'Your edit will appear once it is approved.';

/** Where focus goes when a comment leaves the page: the comment before it, its parent, or the heading. */
function neighbourOf(article: HTMLElement): HTMLElement | null {
  const item = article.closest('li');
  const previous = item?.previousElementSibling?.querySelector<HTMLElement>(':scope > article.comment');
  const parent = item?.parentElement?.closest('li')?.querySelector<HTMLElement>(':scope > article.comment');
  return previous ?? parent ?? document.getElementById('comments-heading');
}

/** Edit and delete under a reader's own comment, while the edit window is open. */
export function OwnCommentButtons({
  id,
  editRef,
  onEdit,
}: {
  id: number;
  editRef: RefObject<HTMLButtonElement | null>;
  onEdit: () => void;
}) {
  const router = useRouter();
  const { announce, placement, cancelReply } = useCommentSection();
  const { reload } = useOwnComment(id);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function remove() {
    if (!window.confirm('Delete your comment?')) return;
    setBusy(true);
    const result = await callApi('DELETE', `/api/comments/${id}`);
    setBusy(false);
    if (!result.ok) return setError(Object.values(result.errors)[0]);
    const article = document.getElementById(`comment-${id}`);
    const next = article && neighbourOf(article);
    if (placement.inline && placement.reply?.id === id) cancelReply();
    // Gone at once, and stays gone even if a page cached before the delete comes back.
    setCommentOverride(id, { deleted: true });
    announce('Your comment was deleted.');
    next?.focus();
    reload();
    // The heading's count and the replies, which move up to the deleted comment's parent.
    router.refresh();
  }

  return (
    <span className="own-actions">
      <FormError message={error} />
      <button ref={editRef} type="button" className="link-button" onClick={onEdit}>
        Edit
      </button>
      <button type="button" className="link-button" onClick={remove} disabled={busy}>
        Delete
      </button>
    </span>
  );
}

/** The edit box, in place of the comment's text and as wide as it. */
export function OwnCommentEditor({
  comment,
  source,
  onClose,
}: {
  comment: Pick<CommentEdit, 'authorName' | 'createdAt' | 'parentId'> & { id: number };
  source: string;
  onClose: () => void;
}) {
  const { id, ...shown } = comment;
  const { announce } = useCommentSection();
  const { reload } = useOwnComment(id);
  const { rememberHeld } = useHeldComments();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const boxRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = `edit-${id}`;
  const length = useLengthLimit(fieldId, 'Comment', COMMENT_MAX_LENGTH, { initial: source, announce });

  useEffect(() => {
    const box = boxRef.current;
    box?.focus();
    box?.setSelectionRange(box.value.length, box.value.length);
  }, []);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (length.error) return boxRef.current?.focus();
    const body = String(new FormData(event.currentTarget).get('body') ?? '');
    setBusy(true);
    const result = await callApi<OwnCommentEdit>('PATCH', `/api/comments/${id}`, { body });
    setBusy(false);
    if (!result.ok) {
      setErrors(result.errors);
      if (result.errors.body) boxRef.current?.focus();
      return;
    }
    // The answer is the new state: shown at once, and over any page cached before the edit.
    setCommentOverride(id, { ...shown, html: result.data.html, status: result.data.status, body: body.trim() });
    announce(result.data.status === 'approved' ? 'Your comment was updated.' : HELD_EDIT_NOTICE);
    // Held: after a reload too, its writer still sees it, marked (see OwnCommentsProvider).
    if (result.data.status !== 'approved') rememberHeld(id);
    reload();
    onClose();
  }

  const error = length.error ?? errors.body;
  const props = controlProps(fieldId, error);
  return (
    <form className="own-edit" onSubmit={save} noValidate>
      <FormError message={errors.form} />
      <Field id={fieldId} label="Edit your comment" error={error}>
        <textarea
          ref={boxRef}
          {...props}
          aria-describedby={[props['aria-describedby'], length.describedBy].filter(Boolean).join(' ') || undefined}
          aria-keyshortcuts="Control+Enter Meta+Enter"
          name="body"
          defaultValue={source}
          rows={5}
          onChange={(event) => length.measure(event.target.value)}
          onKeyDown={sendOnCtrlEnter}
        />
        {length.counter}
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
