import { redirect } from 'next/navigation';
import { requireAuthor } from '@/lib/auth/current-user';

export default async function AdminHome() {
  await requireAuthor('/admin/posts');
  redirect('/admin/posts');
}
