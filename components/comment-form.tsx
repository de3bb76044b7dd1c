'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState, useTransition } from 'react';
import { callApi } from '@/components/api-client';
import { Field, FormError, controlProps } from '@/components/field';
import { rememberOwnComment } from '@/components/own-comments';

type FieldErrors = Partial<Record<'authorName' | 'authorEmail' | 'body' | 'parentId' | 'form', string>>;

/** Shown when a form posted without JavaScript comes back with ?invalid=field,field. */
const FIELD_HINTS: FieldErrors = {
  authorName: 'Enter your name (up to 80 characters).',
  authorEmail: 'Enter a valid email address, or leave it empty.',
  body: 'Write a comment (up to 5,000 characters).',
  parentId: 'The comment you are replying to is no longer available.',
};

interface Props {
  slug: string;
  replyTo?: { id: number; authorName: string };
  invalidFields: string[];
  /** The form came back from a no-JavaScript post whose comment waits for moderation. */
  held: boolean;
  /** Signed render time, so the server can tell a person from a bot that submits at once. */
  formToken: string;
}

const HELD_NOTICE = 'Thank you! Your comment will appear once it is approved.';

const initialErrors = (fields: string[]): FieldErrors =>
  Object.fromEntries(fields.filter((field) => field in FIELD_HINTS).map((field) => [field, FIELD_HINTS[field as keyof FieldErrors]]));

/**
 * A plain HTML form that posts urlencoded to the API when JavaScript is off. With JavaScript it
 * sends JSON, shows the API's field errors in place and refreshes the server-rendered thread.
 */
export function CommentForm({ slug, replyTo, invalidFields, held, formToken }: Props) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>(() => initialErrors(invalidFields));
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState(held ? HELD_NOTICE : '');
  const [postedId, setPostedId] = useState<number | null>(null);
  const [refreshing, startTransition] = useTransition();
  const action = `/api/posts/${encodeURIComponent(slug)}/comments`;

  // With JavaScript, the API's messages replace the browser's validation bubbles.
  useEffect(() => {
    if (formRef.current) formRef.current.noValidate = true;
  }, []);

  // Once the refreshed thread contains the new comment, move the reader to it.
  useEffect(() => {
    if (refreshing || postedId === null) return;
    const comment = document.getElementById(`comment-${postedId}`);
    comment?.scrollIntoView({ block: 'center' });
    comment?.focus({ preventScroll: true });
  }, [refreshing, postedId]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const field = (name: string) => String(data.get(name) ?? '');
    setSending(true);
    setNotice('');
    const result = await callApi<{ id: number; status: string }>('POST', action, {
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
    (form.elements.namedItem('body') as HTMLTextAreaElement).value = '';
    if (result.data.status !== 'approved') {
      setNotice(HELD_NOTICE);
      return;
    }
    setNotice('Thank you! Your comment is published.');
    setPostedId(result.data.id);
    startTransition(() => {
      if (replyTo) router.replace(`/posts/${encodeURIComponent(slug)}`, { scroll: false });
      router.refresh();
    });
  }

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
          Your reply will appear under <a href={`#comment-${replyTo.id}`}>{replyTo.authorName}’s comment</a>.{' '}
          <Link href={`/posts/${encodeURIComponent(slug)}#comment-form`} scroll={false}>
            Cancel reply
          </Link>
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
        />
      </Field>
      <Field
        id="comment-body"
        label="Comment"
        hint="Markdown works: *emphasis*, `code`, [links](https://example.com), > quotes and lists."
        error={errors.body}
      >
        <textarea {...controlProps('comment-body', errors.body, 'hint')} name="body" rows={6} required maxLength={5000} />
      </Field>

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
