import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Page not found', robots: { index: false } };

export default function NotFound() {
  return (
    <section className="page-header">
      <h1>Page not found</h1>
      <p className="lede">There is nothing at this address. The post may have been moved, unpublished or deleted.</p>
      <p>
        <Link href="/">Go to the latest posts</Link>
      </p>
    </section>
  );
}
