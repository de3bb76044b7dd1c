import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SetupForm } from '@/components/admin/setup-form';
import { PASSWORD_MIN_LENGTH } from '@/lib/auth/schemas';
import { isSetupPending } from '@/lib/auth/setup';

export const metadata: Metadata = { title: 'Set up', description: 'Create the author account of this blog.' };

const ERRORS: Record<string, string> = {
  forbidden: 'The setup token is not valid. Use the one printed in the server log at start.',
  validation: `Fill in every field; the password needs at least ${PASSWORD_MIN_LENGTH} characters.`,
  conflict: 'Quire is already set up. Sign in instead.',
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SetupPage({ searchParams }: Props) {
  if (!(await isSetupPending())) redirect('/admin/sign-in');
  const { error } = await searchParams;
  const message = typeof error === 'string' ? (ERRORS[error] ?? 'Setup failed. Please try again.') : undefined;
  return <SetupForm minPasswordLength={PASSWORD_MIN_LENGTH} initialError={message} />;
}
