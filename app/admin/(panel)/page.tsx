import { redirect } from 'next/navigation';
import { requireAuthor } from '@/lib/current-user';

export default async function AdminHome() {
  await requireAuthor('/admin/posts');
  redirect('/admin/posts');
}
