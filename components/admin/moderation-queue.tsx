'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';
import { type Status, StatusMessage } from '@/components/status-message';
import type { BulkResult, CommentStatus, ModerationAction, ModerationComment } from '@/lib/comments/schemas';
import { pluralize } from '@/lib/site/format';

/** A comment of the queue as the API describes it, with what the page adds for showing it. */
export type QueueComment = Pick<
  ModerationComment,
  | 'id'
  | 'postSlug'
  | 'postTitle'
  | 'authorName'
  | 'authorEmail'
  | 'byAuthor'
  | 'body'
  | 'html'
  | 'status'
  | 'createdAt'
  | 'inReplyTo'
  | 'contextUrl'
  | 'moderationReason'
> & {
  /** The post on the site. */
  postPath: string;
  createdLabel: string;
  editedLabel: string | null;
};

interface ActionSpec {
  action: ModerationAction;
  label: string;
  /** What happened, for the status message. */
  done: (count: number) => string;
}

const APPROVE: ActionSpec = { action: 'approve', label: 'Approve', done: (n) => `Approved ${pluralize(n, 'comment')}.` };
const UNAPPROVE: ActionSpec = { action: 'pending', label: 'Unapprove', done: (n) => `Unapproved ${pluralize(n, 'comment')}.` };
const SPAM: ActionSpec = { action: 'spam', label: 'Spam', done: (n) => `Marked ${pluralize(n, 'comment')} as spam.` };
const NOT_SPAM: ActionSpec = { action: 'approve', label: 'Not spam', done: (n) => `Approved ${pluralize(n, 'comment')}: not spam.` };
const DELETE: ActionSpec = { action: 'delete', label: 'Delete', done: (n) => `Deleted ${pluralize(n, 'comment')}.` };

/** Actions that make sense for a comment in a given state. */
const ACTIONS: Record<CommentStatus, ActionSpec[]> = {
  pending: [APPROVE, SPAM, DELETE],
  approved: [UNAPPROVE, SPAM, DELETE],
  spam: [NOT_SPAM, DELETE],
};

/** The bulk action that puts comments back in a status. */
const BACK_TO: Record<CommentStatus, ModerationAction> = { pending: 'pending', approved: 'approve', spam: 'spam' };

const failure = (errors: Record<string, string>, fallback: string) => errors.form ?? Object.values(errors)[0] ?? fallback;

/** What the queue says of why Quire set a comment aside; a published one needs no explanation. */
const REASON_LABEL: Record<CommentStatus, string | null> = { pending: 'Held', spam: 'Filed as spam', approved: null };

/**
 * The moderation queue: per-comment and bulk actions, edits and replies as the post's author. Every result
 * is told in one status message, with Undo when comments changed status; a delete cannot be undone, so it
 * asks first instead.
 */
export function ModerationQueue({
  comments,
  status,
  authorName,
  emptyMessage,
}: {
  comments: QueueComment[];
  status: CommentStatus;
  authorName: string;
  emptyMessage: string;
}) {
  const router = useRouter();
  const rootRef = useRef<HTMLDivElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const announcements = useRef(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [open, setOpen] = useState<{ id: number; kind: 'edit' | 'reply' } | null>(null);
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState('');
  const [message, setMessage] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);

  // Marks the queue as interactive, for tests and for styles that wait for it.
  useEffect(() => {
    if (rootRef.current) rootRef.current.dataset.ready = 'true';
  }, []);

  // An editor or reply box that opens takes the focus, so typing can start at once.
  useEffect(() => {
    if (open) document.getElementById(`${open.kind}-${open.id}`)?.focus();
  }, [open]);

  /** Tells the result; focus goes to it when the control that was used has gone (or will go) from the page. */
  function announce(text: string, { action, focus = true }: { action?: Status['action']; focus?: boolean } = {}) {
    setError('');
    setMessage({ text, action, id: ++announcements.current });
    if (focus) statusRef.current?.focus();
  }

  async function act(spec: ActionSpec, ids: number[]) {
    if (ids.length === 0) return;
    if (
      spec.action === 'delete' &&
      !window.confirm(`Delete ${ids.length === 1 ? 'this comment' : `${ids.length} comments`}? This cannot be undone.`)
    )
      return;
    setBusy(true);
    const result = await callApi<BulkResult>('POST', '/api/admin/comments/bulk', { action: spec.action, ids });
    setBusy(false);
    if (!result.ok) return setError(failure(result.errors, 'The action failed.'));
    const { changed, previous } = result.data;
    announce(spec.done(changed), { action: previous.length > 0 ? { label: 'Undo', run: () => void undo(previous) } : undefined });
    setSelected(new Set());
    setOpen(null);
    router.refresh();
  }

  /** Puts each comment back in the status it had, one request per status. */
  async function undo(previous: BulkResult['previous']) {
    const byStatus = new Map<CommentStatus, number[]>();
    for (const { id, status } of previous) byStatus.set(status, [...(byStatus.get(status) ?? []), id]);
    setBusy(true);
    // The Undo button stays but cannot be pressed twice while the comments move back.
    setMessage((current) => current && { ...current, action: current.action && { ...current.action, disabled: true } });
    for (const [status, ids] of byStatus) {
      const result = await callApi('POST', '/api/admin/comments/bulk', { action: BACK_TO[status], ids });
      if (!result.ok) {
        setBusy(false);
        setMessage(null);
        return setError(failure(result.errors, 'Undo failed.'));
      }
    }
    setBusy(false);
    announce(`Restored ${pluralize(previous.length, 'comment')}.`);
    router.refresh();
  }

  function toggleForm(comment: QueueComment, kind: 'edit' | 'reply') {
    if (open?.id === comment.id && open.kind === kind) return close(comment, kind);
    setFieldError('');
    setOpen({ id: comment.id, kind });
  }

  function close(comment: QueueComment, kind: 'edit' | 'reply') {
    setOpen(null);
    setFieldError('');
    document.getElementById(`queue-${comment.id}-${kind}`)?.focus();
  }

  async function submit(event: FormEvent<HTMLFormElement>, comment: QueueComment, kind: 'edit' | 'reply') {
    event.preventDefault();
    const body = new FormData(event.currentTarget).get('body');
    setBusy(true);
    const result =
      kind === 'edit'
        ? await callApi('PATCH', `/api/comments/${comment.id}`, { body })
        : await callApi('POST', `/api/posts/${encodeURIComponent(comment.postSlug)}/comments`, {
            authorName,
            body,
            parentId: comment.id,
          });
    setBusy(false);
    if (!result.ok) {
      setFieldError(result.errors.body ?? '');
      return setError(
        result.errors.body
          ? ''
          : failure(result.errors, kind === 'edit' ? 'The change could not be saved.' : 'The reply could not be posted.'),
      );
    }
    close(comment, kind);
    // Replying to a held comment approved it (lib/comments/submission.ts), so it leaves the Pending tab.
    const held = comment.status === 'pending';
    announce(
      kind === 'edit'
        ? `Saved your change to ${comment.authorName}’s comment.`
        : held
          ? `Approved ${comment.authorName}’s comment and posted your reply.`
          : `Replied to ${comment.authorName}.`,
      { focus: held },
    );
    router.refresh();
  }

  const toggle = (id: number) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allSelected = comments.length > 0 && selected.size === comments.length;

  return (
    <div className="queue" ref={rootRef}>
      <FormError message={error} />
      <StatusMessage status={message} ref={statusRef} />
      {comments.length === 0 ? (
        <p className="empty">{emptyMessage}</p>
      ) : (
        <>
          <div className="bulk-bar" role="group" aria-label="Bulk actions">
            <div className="checkbox">
              <input
                id="select-all"
                type="checkbox"
                checked={allSelected}
                onChange={() => setSelected(allSelected ? new Set() : new Set(comments.map((c) => c.id)))}
              />
              <label htmlFor="select-all">Select all</label>
              <span className="meta">{selected.size > 0 && `(${selected.size} selected)`}</span>
            </div>
            {/* One compact row: the bar says these act on the selection, so "selected" is only for screen readers. */}
            <div className="bulk-actions">
              {ACTIONS[status].map((spec) => (
                <button
                  key={spec.label}
                  type="button"
                  className={spec.action === 'delete' ? 'danger small' : 'secondary small'}
                  disabled={busy || selected.size === 0}
                  onClick={() => act(spec, [...selected])}
                >
                  {spec.label}
                  <span className="visually-hidden"> selected</span>
                </button>
              ))}
            </div>
          </div>
          <ul className="queue-list">
            {comments.map((comment) => {
              const editing = open?.id === comment.id && open.kind === 'edit';
              const replying = open?.id === comment.id && open.kind === 'reply';
              const reasonLabel = comment.moderationReason && REASON_LABEL[comment.status];
              // Answering a held comment publishes it: the button says so, as WordPress's "Approve and Reply".
              const replyLabel = comment.status === 'pending' ? 'Approve and reply' : 'Reply';
              return (
                <li key={comment.id}>
                  <article className="queue-item" aria-labelledby={`queue-${comment.id}-author`}>
                    <div className="checkbox">
                      <input
                        id={`select-${comment.id}`}
                        type="checkbox"
                        checked={selected.has(comment.id)}
                        onChange={() => toggle(comment.id)}
                      />
                      <label htmlFor={`select-${comment.id}`} className="visually-hidden">
                        Select the comment by {comment.authorName}
                      </label>
                    </div>
                    <div className="queue-content">
                      <header className="comment-header">
                        <span id={`queue-${comment.id}-author`} className="comment-author">
                          {comment.authorName}
                        </span>
                        {comment.byAuthor && <span className="badge">Author</span>}
                        {comment.authorEmail && <span className="meta queue-email">{comment.authorEmail}</span>}
                        <span className="meta">
                          <time dateTime={comment.createdAt}>{comment.createdLabel}</time>
                          {comment.editedLabel && <span title={`Edited ${comment.editedLabel}`}> · edited</span>}
                        </span>
                      </header>
                      <p className="meta queue-post">
                        On <a href={comment.postPath}>{comment.postTitle}</a>
                      </p>
                      {comment.inReplyTo && (
                        <p className="queue-context">
                          In reply to {comment.inReplyTo.authorName}: <q>{comment.inReplyTo.excerpt}</q>
                        </p>
                      )}
                      {reasonLabel && (
                        <p className="meta queue-reason">
                          {reasonLabel}: {comment.moderationReason}
                        </p>
                      )}
                      {editing ? (
                        <form className="queue-form" onSubmit={(event) => submit(event, comment, 'edit')}>
                          <Field id={`edit-${comment.id}`} label={`${comment.authorName}’s comment (Markdown)`} error={fieldError}>
                            <textarea
                              {...controlProps(`edit-${comment.id}`, fieldError)}
                              name="body"
                              rows={5}
                              defaultValue={comment.body}
                              required
                            />
                          </Field>
                          <div className="form-actions">
                            <button type="submit" disabled={busy}>
                              Save
                            </button>
                            <button type="button" className="secondary" onClick={() => close(comment, 'edit')}>
                              Cancel
                            </button>
                          </div>
                        </form>
                      ) : (
                        <div className="comment-body prose" dangerouslySetInnerHTML={{ __html: comment.html }} />
                      )}
                      <div className="queue-actions">
                        {ACTIONS[comment.status].map((spec) => (
                          <button
                            key={spec.label}
                            type="button"
                            className={spec.action === 'delete' ? 'danger small' : 'secondary small'}
                            disabled={busy}
                            onClick={() => act(spec, [comment.id])}
                            aria-label={`${spec.label}: comment by ${comment.authorName}`}
                          >
                            {spec.label}
                          </button>
                        ))}
                        <button
                          id={`queue-${comment.id}-edit`}
                          type="button"
                          className="secondary small"
                          aria-expanded={editing}
                          onClick={() => toggleForm(comment, 'edit')}
                        >
                          Edit
                        </button>
                        {comment.status !== 'spam' && (
                          <button
                            id={`queue-${comment.id}-reply`}
                            type="button"
                            className="secondary small"
                            aria-expanded={replying}
                            onClick={() => toggleForm(comment, 'reply')}
                          >
                            {replyLabel}
                          </button>
                        )}
                        <a className="queue-context-link" href={comment.contextUrl}>
                          View in context<span className="visually-hidden">: comment by {comment.authorName}</span>
                        </a>
                      </div>
                      {replying && (
                        <form className="queue-form" onSubmit={(event) => submit(event, comment, 'reply')}>
                          <Field id={`reply-${comment.id}`} label={`Reply to ${comment.authorName} as ${authorName}`} error={fieldError}>
                            <textarea {...controlProps(`reply-${comment.id}`, fieldError)} name="body" rows={3} required />
                          </Field>
                          <button type="submit" disabled={busy}>
                            {comment.status === 'pending' ? 'Approve and post reply' : 'Post reply'}
                          </button>
                        </form>
                      )}
                    </div>
                  </article>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}
