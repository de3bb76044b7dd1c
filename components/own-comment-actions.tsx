'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { callApi } from '@/components/api-client';
import { Field, FormError, controlProps } from '@/components/field';

/** Edit and delete for a reader's own comment, while the edit window is open. */
export function OwnCommentActions({ id, body, onChange }: { id: number; body: string; onChange: () => void }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    const result = await callApi('PATCH', `/api/comments/${id}`, { body: new FormData(event.currentTarget).get('body') });
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setEditing(false);
    onChange();
    router.refresh();
  }

  async function remove() {
    if (!window.confirm('Delete your comment?')) return;
    const result = await callApi('DELETE', `/api/comments/${id}`);
    if (!result.ok) return setErrors(result.errors);
    onChange();
    router.refresh();
  }

  if (!editing) {
    return (
      <span className="own-actions">
        <FormError message={errors.form} />
        <button type="button" className="link-button" onClick={() => setEditing(true)}>
          Edit
        </button>
        <button type="button" className="link-button" onClick={remove}>
          Delete
        </button>
      </span>
    );
  }
  const fieldId = `edit-${id}`;
  return (
    <form className="own-edit" onSubmit={save} noValidate>
      <FormError message={errors.form} />
      <Field id={fieldId} label="Edit your comment" error={errors.body}>
        <textarea {...controlProps(fieldId, errors.body)} name="body" defaultValue={body} rows={4} maxLength={5000} />
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
