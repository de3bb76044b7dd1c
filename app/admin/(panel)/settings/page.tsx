import type { Metadata } from 'next';
import { SettingsForm } from '@/components/admin/settings-form';
import { requireAuthor } from '@/lib/auth/current-user';
import { getCommentSettings } from '@/lib/comments/settings';

export const metadata: Metadata = { title: 'Settings', description: 'Comment moderation and spam settings.' };

export default async function SettingsPage() {
  await requireAuthor('/admin/settings');
  return (
    <>
      <h1>Settings</h1>
      <SettingsForm settings={await getCommentSettings()} />
    </>
  );
}
