'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState, useTransition } from 'react';
import { flushSync } from 'react-dom';
import { callApi } from '@/components/api-client';
import { CancelReplyLink, type CommentDraft, type ReplyTarget, useCommentSection } from '@/components/comment-section';
import { Field, FormError, controlProps } from '@/components/field';
import { sendOnCtrlEnter, useLengthLimit } from '@/components/length-limit';
import { rememberOwnComment, useHeldComments, useReloadOwnComments } from '@/components/own-comments';
import { useHydrated } from '@/components/use-hydrated';
import { COMMENT_MAX_LENGTH, type CreatedComment } from '@/lib/comments/schemas';

type FieldErrors = Partial<Record<'authorName' | 'authorEmail' | 'body' | 'parentId' | 'form', string>>;

/** Shown when a form posted without JavaScript comes back with ?invalid=field,field. */
const FIELD_HINTS: FieldErrors = {
  authorName: 'Enter your name (up to 80 characters).',
  authorEmail: 'Enter a valid email address, or leave it empty.',
  body: `Write a comment (up to ${COMMENT_MAX_LENGTH.toLocaleString('en')} characters).`,
  parentId: 'The comment you are replying to is no longer available.',
};

interface Props {
  slug: string;
  replyTo?: ReplyTarget;
  invalidFields: string[];
  /** The form came back from a no-JavaScript post whose comment waits for moderation. */
  held: boolean;
  /** Signed render time, so the server can tell a person from a bot that submits at once. */
  formToken: string;
  /** What was typed before the form moved here; null for the form the server rendered. */
  draft: CommentDraft | null;
  /** Move keyboard focus to the comment field on arrival (the reader pressed Reply). */
  focusBody: boolean;
}

/** The shortcut as the reader's keyboard shows it; said once the script that handles it runs. */
const SEND_KEYS = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘+Enter' : 'Ctrl+Enter';

// Said of a comment held or filed as spam alike: a bot learns nothing, and a person is never told they look like one.
const HELD_NOTICE = 'Thank you! Your comment is awaiting moderation: it will appear once it is approved.';
const PUBLISHED_NOTICE = 'Thank you! Your comment is published.';

const initialErrors = (fields: string[]): FieldErrors =>
  Object.fromEntries(fields.filter((field) => field in FIELD_HINTS).map((field) => [field, FIELD_HINTS[field as keyof FieldErrors]]));

/*
 * "Save my name and email in this browser": only with the reader's consent (the checkbox starts
 * unchecked), only in this browser's localStorage, and forgotten as soon as it is unchecked.
 */
const COMMENTER_KEY = 'quire:commenter';

function readCommenter(): { authorName: string; authorEmail: string } | null {
  try {
    const saved = JSON.parse(localStorage.getItem(COMMENTER_KEY) ?? 'null') as { authorName?: unknown; authorEmail?: unknown } | null;
    return typeof saved?.authorName === 'string'
      ? { authorName: saved.authorName, authorEmail: typeof saved.authorEmail === 'string' ? saved.authorEmail : '' }
      : null;
  } catch {
    return null;
  }
}

function saveCommenter(commenter: { authorName: string; authorEmail: string } | null): void {
  try {
    if (commenter) localStorage.setItem(COMMENTER_KEY, JSON.stringify(commenter));
    else localStorage.removeItem(COMMENTER_KEY);
  } catch {
    // Storage may be disabled: nothing is remembered, nothing breaks.
  }
}

/**
 * A plain HTML form that posts urlencoded to the API when JavaScript is off. With JavaScript it
 * sends JSON, shows the API's field errors in place and refreshes the server-rendered thread.
 */
export function CommentForm({ slug, replyTo, invalidFields, held, formToken, draft, focusBody }: Props) {
  const router = useRouter();
  const { posted, announce } = useCommentSection();
  const reloadOwnComments = useReloadOwnComments();
  const { addHeld } = useHeldComments();
  const hydrated = useHydrated();
  const length = useLengthLimit('comment-body', 'Comment', COMMENT_MAX_LENGTH, { initial: draft?.body, announce });
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>(() => initialErrors(invalidFields));
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState(held ? HELD_NOTICE : (draft?.notice ?? ''));
  // The checkbox is only shown once hydrated, so reading storage here cannot change the server's HTML.
  const [remember, setRemember] = useState(() => draft?.remember ?? (typeof window !== 'undefined' && readCommenter() !== null));
  const postedId = useRef<number | null>(null);
  const refreshes = useRef(0);
  const [refreshing, startTransition] = useTransition();
  const action = `/api/posts/${encodeURIComponent(slug)}/comments`;
  const postUrl = `/posts/${encodeURIComponent(slug)}`;

  useEffect(() => {
    const form = formRef.current;
    if (!form) return;
    // With JavaScript, the API's messages replace the browser's validation bubbles.
    form.noValidate = true;
    const body = form.elements.namedItem('body') as HTMLTextAreaElement;
    if (focusBody) {
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
    }
    // A form that moved carries its fields; the first one is filled from what the reader let us keep.
    if (draft) return;
    const saved = readCommenter();
    if (!saved) return;
    for (const [name, value] of Object.entries(saved)) {
      const field = form.elements.namedItem(name) as HTMLInputElement;
      if (!field.value) field.value = value;
    }
    // Only on arrival: draft and focusBody describe how the form got here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Once the refreshed thread contains the new comment, move the reader to it.
  useEffect(() => {
    const id = postedId.current;
    if (refreshing || id === null) return;
    // Next expires a route handler's cache tags just after its answer is sent, so a refresh made at
    // once can still get the page without the new comment: ask again, a little later, a few times.
    if (!document.getElementById(`comment-${id}`) && refreshes.current < 4) {
      const timer = window.setTimeout(() => startTransition(() => router.refresh()), 150 * ++refreshes.current);
      return () => window.clearTimeout(timer);
    }
    postedId.current = null;
    refreshes.current = 0;
    posted(id, PUBLISHED_NOTICE);
  }, [refreshing, posted, router]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const bodyField = form.elements.namedItem('body') as HTMLTextAreaElement;
    // Too long: refused here with its message, the text kept whole for the reader to shorten.
    if (length.error) return bodyField.focus();
    const data = new FormData(form);
    const field = (name: string) => String(data.get(name) ?? '');
    setSending(true);
    setNotice('');
    const result = await callApi<CreatedComment>('POST', action, {
      authorName: field('authorName'),
      authorEmail: field('authorEmail') || undefined,
      body: field('body'),
      parentId: replyTo?.id,
      website: field('website') || undefined,
      formToken,
    });
    setSending(false);
    if (!result.ok) {
      // Errors for fields this form does not show (say, a vanished parent) are shown above it.
      const fieldErrors: FieldErrors = {};
      for (const [name, message] of Object.entries(result.errors))
        fieldErrors[(name in FIELD_HINTS ? name : 'form') as keyof FieldErrors] ??= message;
      setErrors(fieldErrors);
      const firstInvalid = ['authorName', 'authorEmail', 'body'].find((name) => name in fieldErrors);
      if (firstInvalid) (form.elements.namedItem(firstInvalid) as HTMLElement | null)?.focus();
      return;
    }
    setErrors({});
    rememberOwnComment();
    reloadOwnComments();
    saveCommenter(remember ? { authorName: field('authorName').trim(), authorEmail: field('authorEmail').trim() } : null);
    bodyField.value = '';
    length.measure('');
    if (result.data.status !== 'approved') {
      setNotice(HELD_NOTICE);
      // Shown to its writer at once, in its place and marked; focus moves to it, as for a published one.
      flushSync(() => addHeld(result.data));
      posted(result.data.id, HELD_NOTICE);
      return;
    }
    setNotice(PUBLISHED_NOTICE);
    postedId.current = result.data.id;
    startTransition(() => {
      // Back from the respond page (?replyTo=…) to the post's own, cached address.
      if (window.location.search) router.replace(postUrl, { scroll: false });
      router.refresh();
    });
  }

  const replyingId = 'comment-replying-to';
  const bodyError = length.error ?? errors.body;
  const bodyProps = controlProps('comment-body', bodyError, 'hint');
  const describedBy = [replyTo && replyingId, bodyProps['aria-describedby'], length.describedBy].filter(Boolean).join(' ') || undefined;
  return (
    <form
      ref={formRef}
      id="comment-form"
      className="comment-form"
      action={action}
      method="post"
      onSubmit={onSubmit}
      aria-labelledby="comment-form-heading"
    >
      <h3 id="comment-form-heading">{replyTo ? `Reply to ${replyTo.authorName}` : 'Leave a comment'}</h3>
      {replyTo && (
        <p className="replying-to">
          <input type="hidden" name="parentId" value={replyTo.id} />
          <span id={replyingId}>
            Your reply will appear under <a href={`#comment-${replyTo.id}`}>{replyTo.authorName}’s comment</a>.
          </span>{' '}
          <CancelReplyLink href={`${postUrl}#comment-form`} />
        </p>
      )}
      <input type="hidden" name="formToken" value={formToken} />
      {/* A trap for bots: people never see or reach this field, so anything in it marks spam. */}
      <div className="hp" aria-hidden="true">
        <label htmlFor="comment-website">Website</label>
        <input type="text" id="comment-website" name="website" tabIndex={-1} autoComplete="off" />
      </div>
      <FormError message={errors.form ?? errors.parentId} />

      <Field id="comment-authorName" label="Name" error={errors.authorName}>
        <input
          type="text"
          {...controlProps('comment-authorName', errors.authorName)}
          name="authorName"
          autoComplete="name"
          required
          maxLength={80}
          defaultValue={draft?.authorName}
        />
      </Field>
      <Field
        id="comment-authorEmail"
        label={
          <>
            Email <span className="optional">(optional)</span>
          </>
        }
        hint="Never shown or shared."
        error={errors.authorEmail}
      >
        <input
          {...controlProps('comment-authorEmail', errors.authorEmail, 'hint')}
          name="authorEmail"
          type="email"
          autoComplete="email"
          maxLength={254}
          defaultValue={draft?.authorEmail}
        />
      </Field>
      <Field
        id="comment-body"
        label="Comment"
        hint={
          <>
            Markdown works: *emphasis*, `code`, [links](https://example.com), &gt; quotes and lists.
            {hydrated && ` ${SEND_KEYS} sends.`}
          </>
        }
        error={bodyError}
      >
        <textarea
          {...bodyProps}
          aria-describedby={describedBy}
          aria-keyshortcuts={hydrated ? 'Control+Enter Meta+Enter' : undefined}
          name="body"
          rows={6}
          required
          // Without script the browser keeps the limit; with it, the text is counted and never cut.
          maxLength={hydrated ? undefined : COMMENT_MAX_LENGTH}
          defaultValue={draft?.body}
          onChange={(event) => length.measure(event.target.value)}
          onKeyDown={sendOnCtrlEnter}
        />
        {hydrated && length.counter}
      </Field>
      {/* Only with script: without it there is nothing in the browser that could remember. */}
      {hydrated && (
        <div className="field checkbox">
          <input
            type="checkbox"
            id="comment-remember"
            checked={remember}
            onChange={(event) => {
              setRemember(event.target.checked);
              if (!event.target.checked) saveCommenter(null);
            }}
          />
          <label htmlFor="comment-remember">Save my name and email in this browser for the next time I comment.</label>
        </div>
      )}

      <div className="form-actions">
        <button type="submit" disabled={sending}>
          {sending ? 'Posting…' : replyTo ? 'Post reply' : 'Post comment'}
        </button>
        <p className="notice" role="status">
          {notice}
        </p>
      </div>
    </form>
  );
}

function FormAt({ reply }: { reply?: ReplyTarget }) {
  const { form, placement } = useCommentSection();
  if (!form) return null;
  // The server's outcome (invalid fields, held) belongs to the form it rendered, not to a moved one.
  const first = placement.draft === null;
  return (
    <CommentForm
      slug={form.slug}
      formToken={form.formToken}
      replyTo={reply}
      invalidFields={first ? form.invalidFields : []}
      held={first && form.held}
      draft={placement.draft}
      focusBody={placement.focusBody}
    />
  );
}

/** The form at the end of the thread, unless it has moved under a comment. */
export function CommentFormHome() {
  const { placement } = useCommentSection();
  return placement.inline ? null : <FormAt reply={placement.reply ?? undefined} />;
}

/** The form under comment `id` while that comment is being answered. */
export function CommentFormUnder({ id }: { id: number }) {
  const { placement } = useCommentSection();
  return placement.inline && placement.reply?.id === id ? <FormAt reply={placement.reply} /> : null;
}
