import type { Metadata } from 'next';
import type { ReactNode } from 'react';

// The admin area shows the author's live data and session: rendered on every request, never cached.
export const dynamic = 'force-dynamic';

// The admin area is for the author alone: never indexed (robots.txt and X-Robots-Tag say so too).
export const metadata: Metadata = {
  title: { default: 'Admin', template: '%s · Admin' },
  robots: { index: false, follow: false },
};

export default function AdminLayout({ children }: { children: ReactNode }) {
  return <div className="admin">{children}</div>;
}
