'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, type KeyboardEvent, useDeferredValue, useEffect, useEffectEvent, useRef, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import type { AuthorPost, SlugAvailability } from '@/lib/content/schemas';
import { formatBytes, utf8Length } from '@/lib/bytes';
import { slugWords } from '@/lib/slug';
import { formatDateTime, formatTime } from '@/lib/site/format';
import { fromZonedInput, toZonedInput } from '@/lib/site/zoned-input';
import { postPath, previewPath } from '@/lib/site/paths';
import { callApi } from '@/components/api-client';
import { StatusMessage } from '@/components/status-message';
import { useLivePreview } from '@/components/admin/editor/use-live-preview';
import { type SaveIntent, type SaveReport, useSaveQueue } from '@/components/admin/editor/use-save-queue';
import { useUnsavedChangesGuard } from '@/components/admin/editor/use-unsaved-changes-guard';

/** What the editor shows and changes of a post: the API's author view of it. */
export type EditablePost = Pick<
  AuthorPost,
  'id' | 'slug' | 'title' | 'summary' | 'summaryAutomatic' | 'body' | 'status' | 'publishedAt' | 'commentsEnabled' | 'tags' | 'url'
>;

/** What the form's buttons ask a save to do. */
type Intent = 'draft' | 'publish' | 'schedule' | 'update' | 'unpublish';

/** The fields a save sends, and what unsaved changes are measured against. */
interface Values {
  title: string;
  slug: string;
  slugEdited: boolean;
  summary: string;
  tags: string;
  body: string;
  commentsEnabled: boolean;
  scheduleAt: string;
}

/** From this share of the limit on, the editor says how close the text is to it. */
const NEAR_LIMIT = 0.9;
/** What Tab inserts: four spaces nest a list item under a bullet or a number, and indent code. */
const INDENT = '    ';
const LEAVE_MESSAGE = 'This post has unsaved changes. Leave the page and lose them?';

/** What is compared to decide whether there is anything unsaved; the schedule only counts once sent with Schedule. */
function snapshotOf(values: Values): string {
  const { title, slug, slugEdited, summary, tags, body, commentsEnabled } = values;
  return JSON.stringify([title, slugEdited ? slug : null, summary, tags, body, commentsEnabled]);
}

/** What a save did, in the words of the button that asked for it: Update on a live post says "Updated.", not "Published.". */
function noticeFor(post: Pick<EditablePost, 'status' | 'publishedAt'>, timeZone: string, intent?: Intent): string {
  if (post.status === 'draft') return intent === 'unpublish' ? 'Unpublished: the post is a draft again.' : 'Saved as a draft.';
  const updated = intent === 'update' ? 'Updated. ' : '';
  if (post.status === 'scheduled') return `${updated}Scheduled for ${formatDateTime(post.publishedAt!, timeZone)}.`;
  return intent === 'update' ? 'Updated.' : 'Published.';
}

const STATUS_LABEL = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published' } as const;

/** Words of the Markdown as written (markup included: a count to write by, not the post's own word count). */
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** What the author is told when the text is over its limit, before and instead of a refused save. */
const overLimitMessage = (bytes: number, limit: number) =>
  `The text is ${formatBytes(bytes - limit)} over the ${formatBytes(limit)} limit for a post; shorten it or split it into two posts.`;

/**
 * Replaces the textarea's selection with `text` as typing would: execCommand keeps the change in the
 * browser's undo history (Ctrl+Z) and fires the input event React listens to. Where it is missing,
 * setRangeText, with the event dispatched by hand.
 */
function typeText(textarea: HTMLTextAreaElement, text: string) {
  if (document.execCommand('insertText', false, text)) return;
  textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, 'end');
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Tab and Shift+Tab in the Markdown: a caret gets four spaces; selected lines (or the caret's line,
 * outdenting) move by four spaces or one tab each, and stay selected.
 */
function indentText(textarea: HTMLTextAreaElement, outdent: boolean) {
  const { value, selectionStart: start, selectionEnd: end } = textarea;
  if (!outdent && start === end) return typeText(textarea, INDENT);
  const from = value.lastIndexOf('\n', start - 1) + 1;
  // A selection that ends at the start of a line leaves that line alone.
  const last = end > start && value[end - 1] === '\n' ? end - 1 : end;
  const newline = value.indexOf('\n', last);
  const to = newline === -1 ? value.length : newline;
  const lines = value.slice(from, to).split('\n');
  const changed = lines.map((line) => (outdent ? line.replace(/^(?: {1,4}|\t)/, '') : line === '' ? line : INDENT + line));
  const text = changed.join('\n');
  if (text === value.slice(from, to)) return;
  textarea.setSelectionRange(from, to);
  typeText(textarea, text);
  const shift = changed[0]!.length - lines[0]!.length;
  const newStart = Math.max(from, start + shift);
  textarea.setSelectionRange(newStart, start === end ? newStart : end + text.length - (to - from));
}

/** Markdown editor with a live preview rendered by the server's own renderer, and every publishing action. */
export function PostEditor({
  post,
  timeZone,
  maxBodyBytes,
  justCreated = false,
}: {
  post?: EditablePost;
  /** The site's zone (Site settings): the schedule is read and shown in it, like every time in the admin. */
  timeZone: string;
  /** The largest text a post may have, in bytes (POST_MAX_BYTES). */
  maxBodyBytes: number;
  justCreated?: boolean;
}) {
  const router = useRouter();
  const isEditPage = post !== undefined;
  const formRef = useRef<HTMLFormElement>(null);
  const [title, setTitle] = useState(post?.title ?? '');
  const [slug, setSlug] = useState(post?.slug ?? '');
  const [slugEdited, setSlugEdited] = useState(post !== undefined);
  // An automatic summary is no text of the author's: the box stays empty and shows it as its placeholder.
  const [summary, setSummary] = useState(post && !post.summaryAutomatic ? post.summary : '');
  const [automaticSummary, setAutomaticSummary] = useState(post?.summaryAutomatic ? post.summary : '');
  const [tags, setTags] = useState(post?.tags.map((tag) => tag.name).join(', ') ?? '');
  const [body, setBody] = useState(post?.body ?? '');
  const [commentsEnabled, setCommentsEnabled] = useState(post?.commentsEnabled ?? true);
  const [scheduleAt, setScheduleAt] = useState(post?.status === 'scheduled' ? toZonedInput(post.publishedAt!, timeZone) : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState(justCreated && post ? noticeFor(post, timeZone) : '');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<EditablePost['status']>(post?.status ?? 'draft');
  const values: Values = { title, slug, slugEdited, summary, tags, body, commentsEnabled, scheduleAt };
  // The post on the server once it exists: a new post is created once, every later save updates it.
  const saved = useRef(post ? { id: post.id, slug: post.slug } : null);
  // The slug the post is stored under now (autosave may set or change it): what its links use.
  const [storedSlug, setStoredSlug] = useState(post?.slug);
  // Until the first save the server picks the slug from the title (or the post's id, if the title has no slug words).
  const effectiveSlug = slugEdited ? slug : slugWords(title);
  // Counted on a deferred copy, so typing in a long text never waits for the count.
  const counted = useDeferredValue(body);
  const bodyBytes = utf8Length(counted);
  const overLimit = utf8Length(body) > maxBodyBytes;
  const nearLimit = !overLimit && bodyBytes >= NEAR_LIMIT * maxBodyBytes;
  // Drafts save themselves after a pause in typing; live posts change only through an explicit Update.
  const canAutosave = status === 'draft' && title.trim() !== '' && body.trim() !== '' && !overLimit;
  const { saveState, dirty, save } = useSaveQueue<Intent>({
    snapshot: snapshotOf(values),
    canAutosave,
    send: (intent, report) => send(intent, values, report),
  });
  useUnsavedChangesGuard(dirty, LEAVE_MESSAGE);
  const { html: preview, error: previewError } = useLivePreview(body);
  // After Escape, the next Tab leaves the text box instead of indenting (as in GitHub's editor).
  const tabLeaves = useRef(false);
  // The heading and the page's title follow the post once autosave has created it.
  const heading = post || storedSlug ? 'Edit post' : 'New post';

  // Marks the form as interactive, for tests and for styles that wait for it.
  useEffect(() => {
    if (formRef.current) formRef.current.dataset.ready = 'true';
  }, []);

  // Ctrl+S (Cmd+S on a Mac) anywhere on the page does what the form's first button does, instead of
  // the browser's "Save page as".
  const saveByKey = useEffectEvent((event: globalThis.KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') return;
    event.preventDefault();
    if (!busy) void save(status === 'draft' ? 'draft' : 'update');
  });
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => saveByKey(event);
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  useEffect(() => {
    if (!isEditPage && storedSlug) document.title = document.title.replace(/^New post\b/, heading);
  }, [isEditPage, storedSlug, heading]);

  async function checkSlug() {
    if (!slugEdited || !slug) return;
    const query = new URLSearchParams({ slug, ...(saved.current ? { exceptId: String(saved.current.id) } : {}) });
    const result = await callApi<SlugAvailability>('GET', `/api/admin/slugs?${query}`);
    const others = Object.fromEntries(Object.entries(errors).filter(([field]) => field !== 'slug'));
    if (!result.ok) setErrors({ ...others, slug: result.errors.slug ?? result.errors.form ?? 'This slug cannot be used.' });
    else setErrors(result.data.available ? others : { ...others, slug: 'This slug is already used by another post.' });
  }

  /** Sends `sent`, the fields as they were when the save was asked for, and takes in what the server stored. */
  async function send(intent: SaveIntent<Intent>, sent: Values, report: SaveReport): Promise<void> {
    const autosave = intent === 'autosave';
    const scheduledAt = sent.scheduleAt ? fromZonedInput(sent.scheduleAt, timeZone) : undefined;
    const publication: Record<SaveIntent<Intent>, object> = {
      autosave: {},
      draft: { status: 'draft' },
      unpublish: { status: 'draft' },
      publish: { status: 'published', ...(status === 'scheduled' ? { publishedAt: new Date().toISOString() } : {}) },
      schedule: { status: 'scheduled', publishedAt: scheduledAt },
      update: {},
    };
    const bytes = utf8Length(sent.body);
    if (bytes > maxBodyBytes) return report.failed(overLimitMessage(bytes, maxBodyBytes));
    if (intent === 'schedule' && !scheduledAt) {
      setErrors({
        publishedAt: sent.scheduleAt ? 'That date does not exist. Check the day and month.' : 'Choose the date and time to publish at.',
      });
      return;
    }
    const payload = {
      title: sent.title,
      // Untouched, the server derives a unique slug from the title.
      ...(sent.slugEdited ? { slug: sent.slug } : {}),
      summary: sent.summary,
      body: sent.body,
      commentsEnabled: sent.commentsEnabled,
      tags: sent.tags
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
      ...(autosave && !saved.current ? { status: 'draft' } : publication[intent]),
    };
    if (!autosave) {
      setBusy(true);
      setNotice('');
    }
    report.sending();
    const existing = saved.current;
    const result = existing
      ? await callApi<AuthorPost>('PATCH', `/api/posts/${encodeURIComponent(existing.slug)}`, payload)
      : await callApi<AuthorPost>('POST', '/api/posts', payload);
    if (!autosave) setBusy(false);
    if (!result.ok) {
      setErrors(result.errors);
      const message = result.errors.form ?? Object.values(result.errors)[0] ?? 'The server refused the changes.';
      return report.failed(message);
    }
    setErrors({});
    const stored = result.data;
    saved.current = { id: stored.id, slug: stored.slug };
    setStoredSlug(stored.slug);
    // The server chose the slug; from now on it stays put unless the author changes it. A draft
    // saved under its id (a title without slug words) gets one from its title later: follow it.
    const serverChoseIt = !sent.slugEdited || (existing !== null && sent.slug === existing.slug);
    const slugNow = serverChoseIt ? stored.slug : sent.slug;
    if (serverChoseIt) {
      setSlug(stored.slug);
      setSlugEdited(true);
    }
    report.saved(snapshotOf({ ...sent, slug: slugNow, slugEdited: true }));
    setStatus(stored.status);
    setAutomaticSummary(stored.summaryAutomatic ? stored.summary : '');
    if (autosave) {
      // The address becomes the post's own without a navigation, so the text keeps its focus and caret.
      if (!existing) window.history.replaceState(null, '', `/admin/posts/${stored.id}`);
      return;
    }
    setNotice(noticeFor(stored, timeZone, intent));
    if (!isEditPage) router.replace(`/admin/posts/${stored.id}?created=1`);
    router.refresh();
  }

  async function remove() {
    const stored = saved.current;
    if (!post || !stored || !window.confirm(`Delete “${post.title}” and its comments? This cannot be undone.`)) return;
    setBusy(true);
    // An autosave may have changed the slug since the page was loaded.
    const result = await callApi('DELETE', `/api/posts/${encodeURIComponent(stored.slug)}`);
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    router.replace('/admin/posts?deleted=1');
    router.refresh();
  }

  // Saved times are the site's, like the schedule's, with the zone named (the author's browser may be elsewhere).
  const saveStatus =
    saveState.kind === 'saving' ? (
      'Saving…'
    ) : saveState.kind === 'error' ? (
      `Not saved: ${saveState.message}`
    ) : dirty ? (
      overLimit ? (
        'Not saved: the text is over its limit.'
      ) : status !== 'draft' ? (
        'Unsaved changes (choose Update to publish them)'
      ) : canAutosave ? (
        'Unsaved changes'
      ) : (
        'Unsaved changes (a draft saves itself once it has a title and text)'
      )
    ) : saveState.kind === 'saved' ? (
      <>
        Saved at <time dateTime={saveState.at}>{formatTime(saveState.at, timeZone)}</time>
      </>
    ) : (
      ''
    );

  const onBodyKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (['Shift', 'Control', 'Alt', 'Meta'].includes(event.key)) return;
    const leave = tabLeaves.current;
    tabLeaves.current = event.key === 'Escape';
    if (event.key !== 'Tab' || event.ctrlKey || event.metaKey || event.altKey || leave) return;
    event.preventDefault();
    indentText(event.currentTarget, event.shiftKey);
  };
  const limitText = overLimit
    ? overLimitMessage(utf8Length(body), maxBodyBytes)
    : nearLimit
      ? `Close to the limit: a post can be at most ${formatBytes(maxBodyBytes)}.`
      : '';
  const bodyError = errors.body;
  const bodyDescribedBy = ['body-keys', 'body-size', limitText && 'body-limit', bodyError && 'body-error'].filter(Boolean).join(' ');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save(status === 'draft' ? 'draft' : 'update');
  };

  return (
    <form ref={formRef} className="editor" onSubmit={onSubmit} aria-labelledby="editor-heading" noValidate>
      <div className="editor-header">
        <h1 id="editor-heading">{heading}</h1>
        {storedSlug && (
          <p className="meta">
            <span className={`badge badge-${status}`}>{STATUS_LABEL[status]}</span>{' '}
            {status === 'published' ? (
              <>
                · <a href={postPath(storedSlug)}>View on the site</a>
              </>
            ) : (
              <>
                ·{' '}
                <a href={previewPath(storedSlug)} target="_blank">
                  Preview on the site<span className="visually-hidden"> (opens in a new tab)</span>
                </a>
              </>
            )}
          </p>
        )}
      </div>
      <FormError message={errors.form} />
      <StatusMessage status={notice ? { text: notice } : null} />

      <div className="editor-grid">
        <div className="editor-fields">
          <Field id="title" label="Title" error={errors.title}>
            <input
              type="text"
              {...controlProps('title', errors.title)}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              maxLength={200}
              required
            />
          </Field>
          <Field
            id="slug"
            label="Slug"
            hint={effectiveSlug ? `The address: /posts/${effectiveSlug}` : 'The address is made from the title when the post is saved.'}
            error={errors.slug}
          >
            <input
              type="text"
              {...controlProps('slug', errors.slug, 'hint')}
              value={effectiveSlug}
              onChange={(e) => {
                setSlugEdited(true);
                setSlug(e.target.value);
              }}
              onBlur={checkSlug}
              spellCheck={false}
              maxLength={100}
            />
          </Field>
          <Field
            id="summary"
            label="Summary"
            hint="Shown in lists, feeds and search results. Left empty, it follows the text: its opening paragraph, taken again at every save (shown in the box until you write your own)."
            error={errors.summary}
          >
            <textarea
              {...controlProps('summary', errors.summary, 'hint')}
              value={summary}
              placeholder={automaticSummary}
              onChange={(e) => setSummary(e.target.value)}
              rows={2}
              maxLength={500}
            />
          </Field>
          <Field id="tags" label="Tags" hint="Separated by commas, e.g. sqlite, performance." error={errors.tags}>
            <input type="text" {...controlProps('tags', errors.tags, 'hint')} value={tags} onChange={(e) => setTags(e.target.value)} />
          </Field>
          <div className="field">
            <label htmlFor="body">Text (Markdown)</label>
            <textarea
              id="body"
              aria-invalid={bodyError || overLimit ? true : undefined}
              aria-describedby={bodyDescribedBy}
              className="editor-body"
              value={body}
              onChange={(e) => setBody(e.target.value)}
              onKeyDown={onBodyKeyDown}
              onFocus={() => (tabLeaves.current = false)}
              rows={20}
              required
            />
            <p id="body-size" className="hint editor-size">
              {countWords(counted).toLocaleString('en')} {countWords(counted) === 1 ? 'word' : 'words'} · {formatBytes(bodyBytes)} of{' '}
              {formatBytes(maxBodyBytes)}
            </p>
            {/* Always present, so screen readers announce the message when it appears. */}
            <p id="body-limit" className="editor-limit" role="status" data-level={overLimit ? 'over' : nearLimit ? 'near' : undefined}>
              {limitText}
            </p>
            <p id="body-keys" className="hint">
              Tab indents and Shift+Tab outdents; to leave the text box, press Escape, then Tab. Ctrl+S (⌘S on a Mac) saves.
            </p>
            {bodyError && (
              <p id="body-error" className="field-error">
                {bodyError}
              </p>
            )}
          </div>
          <div className="field checkbox">
            <input id="commentsEnabled" type="checkbox" checked={commentsEnabled} onChange={(e) => setCommentsEnabled(e.target.checked)} />
            <label htmlFor="commentsEnabled">Readers may comment on this post</label>
          </div>
        </div>

        <section className="editor-preview" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Preview</h2>
          {previewError && (
            <p className="field-error" role="alert">
              The preview could not be updated: {previewError}
              {preview && ' Below is the last one that could be shown.'}
            </p>
          )}
          <div className="prose" aria-live="polite" dangerouslySetInnerHTML={{ __html: preview }} />
        </section>
      </div>

      <div className="editor-actions">
        <p className="editor-save-status" role="status" aria-live="polite" data-state={saveState.kind === 'error' ? 'error' : undefined}>
          {saveStatus}
        </p>
        {saveState.kind === 'error' && (
          <button type="button" className="secondary" disabled={busy} onClick={() => save(saveState.intent)}>
            Retry
          </button>
        )}
        {status === 'draft' ? (
          <>
            <button type="submit" className="secondary" disabled={busy}>
              Save draft
            </button>
            <button type="button" disabled={busy} onClick={() => save('publish')}>
              Publish now
            </button>
          </>
        ) : (
          <>
            <button type="submit" disabled={busy}>
              Update
            </button>
            {status === 'scheduled' && (
              <button type="button" className="secondary" disabled={busy} onClick={() => save('publish')}>
                Publish now
              </button>
            )}
            <button type="button" className="secondary" disabled={busy} onClick={() => save('unpublish')}>
              Unpublish
            </button>
          </>
        )}
        {post && (
          <button type="button" className="danger" disabled={busy} onClick={remove}>
            Delete
          </button>
        )}
      </div>

      <fieldset className="schedule">
        <legend>Schedule</legend>
        <Field id="publishedAt" label={`Publish at (${timeZone.replaceAll('_', ' ')} time)`} error={errors.publishedAt}>
          <input
            {...controlProps('publishedAt', errors.publishedAt)}
            type="datetime-local"
            step={1}
            value={scheduleAt}
            onChange={(e) => setScheduleAt(e.target.value)}
          />
        </Field>
        <button type="button" className="secondary" disabled={busy} onClick={() => save('schedule')}>
          Schedule
        </button>
      </fieldset>

      <p>
        <Link href="/admin/posts">← All posts</Link>
      </p>
    </form>
  );
}
