import type { Metadata } from 'next';
import Link from 'next/link';
import { SiteShell } from '@/components/site-chrome';

export const metadata: Metadata = { title: 'Page not found', robots: { index: false } };

/** An address nothing matches. Outside every area's layout, so it brings the site's header and footer itself. */
export default function NotFound() {
  return (
    <SiteShell>
      <section className="page-header">
        <h1>Page not found</h1>
        <p className="lede">There is nothing at this address. Check it for a typo, or start again from the latest posts.</p>
        <p>
          <Link href="/">Go to the latest posts</Link>
        </p>
      </section>
    </SiteShell>
  );
}
