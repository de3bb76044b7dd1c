'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { slugify } from '@/lib/slug';
import { callApi } from '@/components/api-client';

export interface EditablePost {
  id: number;
  slug: string;
  title: string;
  summary: string;
  body: string;
  status: 'draft' | 'scheduled' | 'published';
  publishedAt: string | null;
  commentsEnabled: boolean;
  tags: { name: string }[];
  url: string;
}

type Intent = 'draft' | 'publish' | 'schedule' | 'update' | 'unpublish';

/** An ISO time as the value of a datetime-local input, in the author's own time zone. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

function noticeFor(post: Pick<EditablePost, 'status' | 'publishedAt'>): string {
  if (post.status === 'draft') return 'Saved as a draft.';
  if (post.status === 'scheduled') return `Scheduled for ${new Date(post.publishedAt!).toLocaleString()}.`;
  return 'Published.';
}

const STATUS_LABEL = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published' } as const;

/** Markdown editor with a live preview rendered by the server's own renderer, and every publishing action. */
export function PostEditor({ post, justCreated = false }: { post?: EditablePost; justCreated?: boolean }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [title, setTitle] = useState(post?.title ?? '');
  const [slug, setSlug] = useState(post?.slug ?? '');
  const [slugEdited, setSlugEdited] = useState(post !== undefined);
  const [summary, setSummary] = useState(post?.summary ?? '');
  const [tags, setTags] = useState(post?.tags.map((tag) => tag.name).join(', ') ?? '');
  const [body, setBody] = useState(post?.body ?? '');
  const [commentsEnabled, setCommentsEnabled] = useState(post?.commentsEnabled ?? true);
  const [scheduleAt, setScheduleAt] = useState(post?.status === 'scheduled' ? toLocalInput(post.publishedAt) : '');
  const [preview, setPreview] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState(justCreated && post ? noticeFor(post) : '');
  const [busy, setBusy] = useState(false);
  const status = post?.status ?? 'draft';
  const effectiveSlug = slugEdited ? slug : slugify(title || 'untitled');

  // Marks the form as interactive, for tests and for styles that wait for it.
  useEffect(() => {
    if (formRef.current) formRef.current.dataset.ready = 'true';
  }, []);

  // The preview follows the text after a short pause, rendered and sanitised exactly as on save.
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const response = await fetch('/api/admin/preview', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ body }),
          signal: controller.signal,
        });
        if (response.ok) setPreview(((await response.json()) as { html: string }).html);
      } catch {
        // An aborted or failed preview keeps the previous one; saving reports real errors.
      }
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [body]);

  async function checkSlug() {
    if (!slugEdited || !slug) return;
    const query = new URLSearchParams({ slug, ...(post ? { exceptId: String(post.id) } : {}) });
    const result = await callApi<{ available: boolean }>('GET', `/api/admin/slugs?${query}`);
    const others = Object.fromEntries(Object.entries(errors).filter(([field]) => field !== 'slug'));
    if (!result.ok) setErrors({ ...others, slug: result.errors.slug ?? result.errors.form ?? 'This slug cannot be used.' });
    else setErrors(result.data.available ? others : { ...others, slug: 'This slug is already used by another post.' });
  }

  async function save(intent: Intent) {
    const publication: Record<Intent, object> = {
      draft: { status: 'draft' },
      unpublish: { status: 'draft' },
      publish: { status: 'published', ...(status === 'scheduled' ? { publishedAt: new Date().toISOString() } : {}) },
      schedule: { status: 'scheduled', publishedAt: scheduleAt ? new Date(scheduleAt).toISOString() : undefined },
      update: {},
    };
    if (intent === 'schedule' && !scheduleAt) {
      setErrors({ publishedAt: 'Choose the date and time to publish at.' });
      return;
    }
    const payload = {
      title,
      // Untouched, the server derives a unique slug from the title.
      ...(slugEdited ? { slug } : {}),
      summary,
      body,
      commentsEnabled,
      tags: tags
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
      ...publication[intent],
    };
    setBusy(true);
    setNotice('');
    const result = post
      ? await callApi<EditablePost>('PATCH', `/api/posts/${encodeURIComponent(post.slug)}`, payload)
      : await callApi<EditablePost>('POST', '/api/posts', payload);
    setBusy(false);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    const saved = result.data;
    setNotice(noticeFor(saved));
    setSlug(saved.slug);
    setSlugEdited(true);
    if (!post) router.replace(`/admin/posts/${saved.id}?created=1`);
    router.refresh();
  }

  async function remove() {
    if (!post || !window.confirm(`Delete “${post.title}” and its comments? This cannot be undone.`)) return;
    setBusy(true);
    const result = await callApi('DELETE', `/api/posts/${encodeURIComponent(post.slug)}`);
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    router.replace('/admin/posts?deleted=1');
    router.refresh();
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save(status === 'draft' ? 'draft' : 'update');
  };

  return (
    <form ref={formRef} className="editor" onSubmit={onSubmit} aria-labelledby="editor-heading" noValidate>
      <div className="editor-header">
        <h1 id="editor-heading">{post ? 'Edit post' : 'New post'}</h1>
        {post && (
          <p className="meta">
            <span className={`badge badge-${status}`}>{STATUS_LABEL[status]}</span>
            {status === 'published' && (
              <>
                {' '}
                · <a href={post.url}>View on the site</a>
              </>
            )}
          </p>
        )}
      </div>
      <FormError message={errors.form} />
      <p className="notice" role="status">
        {notice}
      </p>

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
          <Field id="slug" label="Slug" hint={`The address: /posts/${effectiveSlug}`} error={errors.slug}>
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
            hint="Shown in lists, feeds and search results. Left empty, it is taken from the text."
            error={errors.summary}
          >
            <textarea
              {...controlProps('summary', errors.summary, 'hint')}
              value={summary}
              onChange={(e) => setSummary(e.target.value)}
              rows={2}
              maxLength={500}
            />
          </Field>
          <Field id="tags" label="Tags" hint="Separated by commas, e.g. sqlite, performance." error={errors.tags}>
            <input type="text" {...controlProps('tags', errors.tags, 'hint')} value={tags} onChange={(e) => setTags(e.target.value)} />
          </Field>
          <Field id="body" label="Text (Markdown)" error={errors.body}>
            <textarea
              {...controlProps('body', errors.body)}
              className="editor-body"
              value={body}
              onChange={(e) => setBody(e.target.value)}
              rows={20}
              required
            />
          </Field>
          <div className="field checkbox">
            <input id="commentsEnabled" type="checkbox" checked={commentsEnabled} onChange={(e) => setCommentsEnabled(e.target.checked)} />
            <label htmlFor="commentsEnabled">Readers may comment on this post</label>
          </div>
        </div>

        <section className="editor-preview" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Preview</h2>
          <div className="prose" aria-live="polite" dangerouslySetInnerHTML={{ __html: preview }} />
        </section>
      </div>

      <div className="editor-actions">
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
        <Field id="publishedAt" label="Publish at (your local time)" error={errors.publishedAt}>
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
