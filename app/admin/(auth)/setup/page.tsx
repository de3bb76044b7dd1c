import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SetupForm } from '@/components/admin/setup-form';
import { PASSWORD_MIN_LENGTH } from '@/lib/password';
import { isSetupPending } from '@/lib/setup';

export const metadata: Metadata = { title: 'Set up', description: 'Create the author account of this blog.' };

export default function SetupPage() {
  if (!isSetupPending()) redirect('/admin/sign-in');
  return <SetupForm minPasswordLength={PASSWORD_MIN_LENGTH} />;
}
