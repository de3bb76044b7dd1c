'use client';

import Link from 'next/link';

/** Shown when rendering a page fails; the details stay in the server log. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="page-header">
      <h1>Something went wrong</h1>
      <p className="lede">This page could not be shown. Please try again in a moment.</p>
      <p className="actions">
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        <Link href="/">Go to the latest posts</Link>
      </p>
    </section>
  );
}
