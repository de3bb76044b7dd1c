import type { Metadata } from 'next';
import Link from 'next/link';
import { PasswordForm, SignOutOthersButton } from '@/components/admin/account-forms';
import { requireAuthor } from '@/lib/auth/current-user';
import { PASSWORD_MIN_LENGTH } from '@/lib/auth/schemas';
import { countSessions } from '@/lib/auth/sessions';

export const metadata: Metadata = { title: 'Account', description: 'Your account: your password and where you are signed in.' };

/** What the no-JavaScript form is told after a refusal: the query names the error and the fields, not the messages. */
const FIELD_ERRORS: Record<string, string> = {
  currentPassword: 'The current password is missing or not right.',
  newPassword: `The new password needs at least ${PASSWORD_MIN_LENGTH} characters, and must differ from the current one.`,
};
const FORM_ERRORS: Record<string, string> = {
  too_many_requests: 'Too many wrong passwords. Wait a few minutes and try again.',
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AccountPage({ searchParams }: Props) {
  const user = await requireAuthor('/admin/account');
  const sessions = await countSessions(user.id);
  const { error, fields, passwordChanged } = await searchParams;
  const errors: Record<string, string> = {};
  if (typeof error === 'string') {
    for (const field of typeof fields === 'string' ? fields.split(',') : []) if (FIELD_ERRORS[field]) errors[field] = FIELD_ERRORS[field];
    if (Object.keys(errors).length === 0) errors.form = FORM_ERRORS[error] ?? 'Changing the password failed. Please try again.';
  }
  return (
    <>
      <h1>Account</h1>
      <dl className="account-details">
        <dt>Name</dt>
        <dd>{user.name}</dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
      </dl>

      <h2>Change password</h2>
      <p>Changing it signs you out everywhere else; this browser stays signed in.</p>
      <PasswordForm
        email={user.email}
        minLength={PASSWORD_MIN_LENGTH}
        initialErrors={errors}
        initialNotice={passwordChanged === '1' && !error ? 'Password changed. Every other session is signed out.' : ''}
      />

      <h2>Sessions</h2>
      <p>
        {sessions > 1
          ? `You are signed in on ${sessions} browsers or devices, this one included.`
          : 'You are signed in on this browser only.'}{' '}
        Signing out of the others ends them at once, wherever they are; to sign out here as well, use Sign out at the top.
      </p>
      <SignOutOthersButton />
      <p>
        API tokens are not sessions: neither a password change nor signing out revokes them. Manage them on the{' '}
        <Link href="/admin/tokens">API tokens</Link> page.
      </p>
    </>
  );
}
