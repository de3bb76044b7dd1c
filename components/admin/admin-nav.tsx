'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const SECTIONS = [
  ['/admin/posts', 'Posts'],
  ['/admin/comments', 'Comments'],
  ['/admin/site', 'Site'],
  ['/admin/settings', 'Settings'],
  ['/admin/tokens', 'API tokens'],
  ['/admin/account', 'Account'],
] as const;

/** The admin's sections; the one being shown (a post's editor belongs to Posts) is marked as current. */
export function AdminNav({ pendingComments }: { pendingComments: number }) {
  const pathname = usePathname();
  return (
    <nav className="admin-nav" aria-label="Admin">
      <ul>
        {SECTIONS.map(([href, label]) => (
          <li key={href}>
            <Link href={href} aria-current={pathname === href || pathname.startsWith(`${href}/`) ? 'page' : undefined}>
              {label}
              {href === '/admin/comments' && pendingComments > 0 && <span className="count"> ({pendingComments} pending)</span>}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
