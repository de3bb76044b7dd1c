'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormActions, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';
import { NewPasswordField } from '@/components/admin/new-password-field';
import { useHydrated } from '@/components/use-hydrated';
import type { SessionsEnded } from '@/lib/auth/schemas';

/**
 * Posts to /api/account/password; without JavaScript the same form posts urlencoded and comes back
 * to the account page with the news or the error. The new session's cookie comes with the answer.
 */
export function PasswordForm({
  email,
  minLength,
  initialErrors = {},
  initialNotice = '',
}: {
  email: string;
  minLength: number;
  initialErrors?: Record<string, string>;
  initialNotice?: string;
}) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>(initialErrors);
  const [notice, setNotice] = useState(initialNotice);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    setNotice('');
    const result = await callApi('POST', '/api/account/password', {
      currentPassword: data.get('currentPassword'),
      newPassword: data.get('newPassword'),
    });
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setNotice('Password changed. Every other session is signed out.');
    form.reset();
    router.refresh();
  }

  return (
    <form className="panel-form account-form" action="/api/account/password" method="post" onSubmit={onSubmit} noValidate>
      <FormError message={errors.form} />
      {/* For password managers: the account the new password belongs to. Unnamed, so never sent. */}
      <input type="email" autoComplete="username" value={email} readOnly hidden />
      <Field id="currentPassword" label="Current password" error={errors.currentPassword}>
        <input
          {...controlProps('currentPassword', errors.currentPassword)}
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
        />
      </Field>
      <NewPasswordField id="newPassword" label="New password" minLength={minLength} error={errors.newPassword} />
      <FormActions busy={busy} label="Change password" notice={notice} />
    </form>
  );
}

/** Ends every session but this browser's; it needs script (the API takes DELETE), so it waits for it. */
export function SignOutOthersButton() {
  const router = useRouter();
  const hydrated = useHydrated();
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function signOutOthers() {
    setBusy(true);
    const result = await callApi<SessionsEnded>('DELETE', '/api/account/sessions');
    setBusy(false);
    if (!result.ok) return setError(result.errors.form ?? 'Signing out failed. Please try again.');
    setError('');
    const { ended } = result.data;
    setMessage(ended === 0 ? 'There were no other sessions.' : `Signed out of ${ended} other ${ended === 1 ? 'session' : 'sessions'}.`);
    router.refresh();
  }

  return (
    <div className="form-actions">
      <button type="button" onClick={signOutOthers} disabled={!hydrated || busy}>
        Sign out of all other sessions
      </button>
      <p className="notice" role="status">
        {message}
      </p>
      <FormError message={error} />
    </div>
  );
}
