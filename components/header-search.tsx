'use client';

import { usePathname } from 'next/navigation';

/**
 * The header's search box. The search page has its own, with the query and help, so this one
 * steps aside there: one search landmark per page.
 */
export function HeaderSearch() {
  if (usePathname() === '/search') return null;
  return (
    <form role="search" action="/search" className="site-search">
      <label htmlFor="site-search" className="visually-hidden">
        Search posts
      </label>
      <input id="site-search" name="q" type="search" placeholder="Search…" />
      <button type="submit" className="secondary small">
        Search
      </button>
    </form>
  );
}
