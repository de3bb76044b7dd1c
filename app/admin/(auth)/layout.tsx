import type { ReactNode } from 'react';
import { AdminHeader } from '@/components/admin/admin-header';

/** Signing in and the first-run setup: the admin's header, without its sections. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AdminHeader />
      <main id="main" className="container" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
