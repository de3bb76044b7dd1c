import type { ReactNode } from 'react';
import { AdminHeader } from '@/components/admin/admin-header';
import { countCommentsByStatus } from '@/lib/comments/moderation-queue';
import { getCurrentUser } from '@/lib/auth/current-user';

/** The author's header and page. Each page checks the session itself (and redirects with its own return address). */
export default async function PanelLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  return (
    <>
      <AdminHeader user={user} pendingComments={user ? (await countCommentsByStatus()).pending : 0} />
      <main id="main" className="container" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
