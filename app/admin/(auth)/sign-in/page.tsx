import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/admin/sign-in-form';
import { getCurrentUser } from '@/lib/auth/current-user';
import { localPath } from '@/lib/http';
import { isSetupPending } from '@/lib/auth/setup';

export const metadata: Metadata = { title: 'Sign in', description: 'Sign in to write posts and moderate comments.' };

const ERRORS: Record<string, string> = {
  unauthorized: 'The email or password is not right.',
  too_many_requests: 'Too many failed sign-ins. Wait a few minutes and try again.',
  validation: 'Enter your email and password.',
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  if (await isSetupPending()) redirect('/admin/setup');
  const query = await searchParams;
  const next = localPath(query.next, '/admin/posts');
  if (await getCurrentUser()) redirect(next);
  const error = typeof query.error === 'string' ? (ERRORS[query.error] ?? 'Signing in failed. Please try again.') : undefined;
  const notice = query.signedOut === '1' && !error ? 'You are signed out.' : undefined;
  return <SignInForm next={next} initialError={error} notice={notice} />;
}
