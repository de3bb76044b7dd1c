import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE, getSessionUser } from '@/lib/auth/sessions';
import type { AuthUser } from '@/lib/auth/schemas';

/** The signed-in author for a page render, from the session cookie. */
export async function getCurrentUser(): Promise<AuthUser | undefined> {
  return getSessionUser((await cookies()).get(SESSION_COOKIE)?.value);
}

/** Every admin page calls this first: visitors without a session go to the sign-in page and come back after. */
export async function requireAuthor(returnTo: string): Promise<AuthUser> {
  const user = await getCurrentUser();
  if (!user) redirect(`/admin/sign-in?next=${encodeURIComponent(returnTo)}`);
  return user;
}
