import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '@/components/admin/sign-out-button';
import { countCommentsByStatus } from '@/lib/comments';
import { getCurrentUser } from '@/lib/current-user';

/** The author's navigation. Each page checks the session itself (and redirects with its own return address). */
export default async function PanelLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) return children;
  const { pending } = countCommentsByStatus();
  return (
    <>
      <nav className="admin-nav" aria-label="Admin">
        <ul>
          <li>
            <Link href="/admin/posts">Posts</Link>
          </li>
          <li>
            <Link href="/admin/comments">Comments{pending > 0 && <span className="count"> ({pending} pending)</span>}</Link>
          </li>
          <li>
            <Link href="/admin/settings">Settings</Link>
          </li>
          <li>
            <Link href="/admin/tokens">API tokens</Link>
          </li>
        </ul>
        <p className="admin-user">
          {user.name} · <SignOutButton />
        </p>
      </nav>
      {children}
    </>
  );
}
