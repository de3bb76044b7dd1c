import type { ReactNode } from 'react';

/** Props that tie a control to its label, hint and error, for screen readers. */
export function controlProps(id: string, error?: string, hint?: string) {
  const describedBy = [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined } as const;
}

/** A labelled form field with an optional hint and error message under it. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function FormError({ message }: { message?: string }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

/** A form's submit button with what the last submit did beside it, announced to screen readers. */
export function FormActions({ busy, label, notice }: { busy: boolean; label: string; notice: string }) {
  return (
    <div className="form-actions">
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : label}
      </button>
      <p className="notice" role="status">
        {notice}
      </p>
    </div>
  );
}
