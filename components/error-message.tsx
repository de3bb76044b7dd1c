import Link from 'next/link';

/** What an error boundary shows: the details stay in the server log. */
export function ErrorMessage({ reset, home }: { reset: () => void; home: { href: string; label: string } }) {
  return (
    <section className="page-header">
      <h1>Something went wrong</h1>
      <p className="lede">This page could not be shown. Please try again in a moment.</p>
      <p className="actions">
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        <Link href={home.href}>{home.label}</Link>
      </p>
    </section>
  );
}
