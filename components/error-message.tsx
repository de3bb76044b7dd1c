/**
 * What an error boundary shows: the details stay in the server log. The way out is a plain link: a
 * full page load starts afresh after an error, and without next/link the root error boundary's chunk,
 * which every page loads, no longer carries a second copy of the router's link code (3 KB).
 */
export function ErrorMessage({ reset, home }: { reset: () => void; home: { href: string; label: string } }) {
  return (
    <section className="page-header">
      <h1>Something went wrong</h1>
      <p className="lede">This page could not be shown. Please try again in a moment.</p>
      <p className="actions">
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        <a href={home.href}>{home.label}</a>
      </p>
    </section>
  );
}
