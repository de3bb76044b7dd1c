'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';

/** Posts to /api/session; without JavaScript the same form posts urlencoded and is redirected. */
export function SignInForm({ next, initialError, notice }: { next: string; initialError?: string; notice?: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>(initialError ? { form: initialError } : {});
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setBusy(true);
    const result = await callApi('POST', '/api/session', { email: data.get('email'), password: data.get('password') });
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    router.replace(next);
    router.refresh();
  }

  return (
    <form className="panel-form" action="/api/session" method="post" onSubmit={onSubmit} aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      {notice && Object.keys(errors).length === 0 && (
        <p className="callout" role="status">
          {notice}
        </p>
      )}
      <FormError message={errors.form} />
      <input type="hidden" name="next" value={next} />
      <Field id="email" label="Email" error={errors.email}>
        <input {...controlProps('email', errors.email)} name="email" type="email" autoComplete="username" required />
      </Field>
      <Field id="password" label="Password" error={errors.password}>
        <input {...controlProps('password', errors.password)} name="password" type="password" autoComplete="current-password" required />
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
