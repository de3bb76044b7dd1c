import Link from 'next/link';
import { AdminNav } from '@/components/admin/admin-nav';
import { SignOutButton } from '@/components/admin/sign-out-button';
import { getSiteIdentity } from '@/lib/site/identity';

/**
 * The author's header, in place of the reader's (no site search: the admin searches its own lists).
 * The blog's name leads back to the public site; signed in, the admin's sections and Sign out follow.
 */
export async function AdminHeader({ user, pendingComments = 0 }: { user?: { name: string }; pendingComments?: number }) {
  const { name } = await getSiteIdentity();
  return (
    <header className="site-header">
      <div className="container site-header-inner">
        <p className="admin-brand">
          <Link href="/" className="site-title">
            {name}
          </Link>{' '}
          <span className="admin-label">Admin</span>
        </p>
        {user && (
          <>
            <AdminNav pendingComments={pendingComments} />
            <p className="admin-user">
              <span className="admin-user-name">{user.name}</span> · <SignOutButton />
            </p>
          </>
        )}
      </div>
    </header>
  );
}
