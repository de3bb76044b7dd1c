'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';
import { NewPasswordField } from '@/components/admin/new-password-field';

/** First run: the setup token from the server log creates the first author account. */
export function SetupForm({ minPasswordLength, initialError }: { minPasswordLength: number; initialError?: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>(initialError ? { form: initialError } : {});
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget));
    setBusy(true);
    const result = await callApi('POST', '/api/setup', data);
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    router.replace('/admin/posts');
    router.refresh();
  }

  return (
    <form className="panel-form" action="/api/setup" method="post" onSubmit={onSubmit} aria-labelledby="setup-heading">
      <h1 id="setup-heading">Set up Quire</h1>
      <p>
        Create the author account. The setup token was printed in the server log when Quire started (or use{' '}
        <code>npm run admin:create</code> on the server instead).
      </p>
      <FormError message={errors.form} />
      <Field id="setupToken" label="Setup token" error={errors.setupToken}>
        <input
          type="text"
          {...controlProps('setupToken', errors.setupToken)}
          name="setupToken"
          autoComplete="off"
          spellCheck={false}
          required
        />
      </Field>
      <Field id="name" label="Your name" hint="Shown on your replies to comments." error={errors.name}>
        <input type="text" {...controlProps('name', errors.name, 'hint')} name="name" autoComplete="name" required />
      </Field>
      <Field id="email" label="Email" hint="You sign in with it." error={errors.email}>
        <input {...controlProps('email', errors.email, 'hint')} name="email" type="email" autoComplete="username" required />
      </Field>
      <NewPasswordField id="password" label="Password" minLength={minPasswordLength} error={errors.password} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}
