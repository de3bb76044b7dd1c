'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';

export interface QueueComment {
  id: number;
  postSlug: string;
  postTitle: string;
  authorName: string;
  authorEmail: string | null;
  byAuthor: boolean;
  html: string;
  status: 'pending' | 'approved' | 'spam';
  createdAt: string;
  createdLabel: string;
}

type Action = 'approve' | 'pending' | 'spam' | 'delete';

const ACTION_LABEL: Record<Action, string> = { approve: 'Approve', pending: 'Hold', spam: 'Mark as spam', delete: 'Delete' };

/** Actions that make sense for a comment in a given state. */
const actionsFor = (status: QueueComment['status']): Action[] =>
  ({ pending: ['approve', 'spam', 'delete'], approved: ['pending', 'spam', 'delete'], spam: ['approve', 'delete'] })[status] as Action[];

/** The moderation queue: per-comment and bulk actions, and replies as the post's author. */
export function ModerationQueue({
  comments,
  status,
  authorName,
}: {
  comments: QueueComment[];
  status: QueueComment['status'];
  authorName: string;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [replyTo, setReplyTo] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function act(action: Action, ids: number[]) {
    if (ids.length === 0) return;
    if (
      action === 'delete' &&
      !window.confirm(`Delete ${ids.length === 1 ? 'this comment' : `${ids.length} comments`}? This cannot be undone.`)
    )
      return;
    setBusy(true);
    const result = await callApi<{ changed: number }>('POST', '/api/admin/comments/bulk', { action, ids });
    setBusy(false);
    if (!result.ok) return setError(result.errors.form ?? Object.values(result.errors)[0] ?? 'The action failed.');
    setError('');
    setNotice(`${ACTION_LABEL[action]}: ${result.data.changed} comment${result.data.changed === 1 ? '' : 's'}.`);
    setSelected(new Set());
    router.refresh();
  }

  async function reply(event: FormEvent<HTMLFormElement>, comment: QueueComment) {
    event.preventDefault();
    const body = new FormData(event.currentTarget).get('body');
    setBusy(true);
    const result = await callApi('POST', `/api/posts/${encodeURIComponent(comment.postSlug)}/comments`, {
      authorName,
      body,
      parentId: comment.id,
    });
    setBusy(false);
    if (!result.ok) return setError(result.errors.body ?? result.errors.form ?? 'The reply could not be posted.');
    setError('');
    setReplyTo(null);
    setNotice(`Replied to ${comment.authorName}.`);
    router.refresh();
  }

  const toggle = (id: number) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allSelected = comments.length > 0 && selected.size === comments.length;

  if (comments.length === 0) return <p className="empty">No {status} comments.</p>;

  return (
    <div className="queue">
      <FormError message={error} />
      <p className="notice" role="status">
        {notice}
      </p>
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
          {actionsFor(status).map((action) => (
            <button
              key={action}
              type="button"
              className={action === 'delete' ? 'danger small' : 'secondary small'}
              disabled={busy || selected.size === 0}
              onClick={() => act(action, [...selected])}
            >
              {ACTION_LABEL[action]}
              <span className="visually-hidden"> selected</span>
            </button>
          ))}
        </div>
      </div>
      <ul className="queue-list">
        {comments.map((comment) => (
          <li key={comment.id}>
            <article className="queue-item" aria-labelledby={`queue-${comment.id}-author`}>
              <div className="checkbox">
                <input id={`select-${comment.id}`} type="checkbox" checked={selected.has(comment.id)} onChange={() => toggle(comment.id)} />
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
                  {comment.authorEmail && <span className="meta">{comment.authorEmail}</span>}
                  <span className="meta">
                    on <a href={`/posts/${comment.postSlug}#comment-${comment.id}`}>{comment.postTitle}</a> ·{' '}
                    <time dateTime={comment.createdAt}>{comment.createdLabel}</time>
                  </span>
                </header>
                <div className="comment-body prose" dangerouslySetInnerHTML={{ __html: comment.html }} />
                <div className="queue-actions">
                  {actionsFor(comment.status).map((action) => (
                    <button
                      key={action}
                      type="button"
                      className={action === 'delete' ? 'danger small' : 'secondary small'}
                      disabled={busy}
                      onClick={() => act(action, [comment.id])}
                      aria-label={`${ACTION_LABEL[action]}: comment by ${comment.authorName}`}
                    >
                      {ACTION_LABEL[action]}
                    </button>
                  ))}
                  {comment.status !== 'spam' && (
                    <button
                      type="button"
                      className="secondary small"
                      aria-expanded={replyTo === comment.id}
                      onClick={() => setReplyTo(replyTo === comment.id ? null : comment.id)}
                    >
                      Reply
                    </button>
                  )}
                </div>
                {replyTo === comment.id && (
                  <form className="queue-reply" onSubmit={(event) => reply(event, comment)}>
                    <Field id={`reply-${comment.id}`} label={`Reply to ${comment.authorName} as ${authorName}`}>
                      <textarea {...controlProps(`reply-${comment.id}`)} name="body" rows={3} required />
                    </Field>
                    <button type="submit" disabled={busy}>
                      Post reply
                    </button>
                  </form>
                )}
              </div>
            </article>
          </li>
        ))}
      </ul>
    </div>
  );
}
