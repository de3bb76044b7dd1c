import { Field, controlProps } from '@/components/field';

/** A password being set, at setup or in a change: the length rule said, and the browser told it may suggest one. */
export function NewPasswordField({ id, label, minLength, error }: { id: string; label: string; minLength: number; error?: string }) {
  return (
    <Field id={id} label={label} hint={`At least ${minLength} characters.`} error={error}>
      <input {...controlProps(id, error, 'hint')} name={id} type="password" autoComplete="new-password" minLength={minLength} required />
    </Field>
  );
}
