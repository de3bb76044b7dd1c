/**
 * The header's search box. A page with a search form of its own in its main content (the search
 * page, with the query and help) hides this one in CSS (app/globals.css), so there is one search
 * landmark per page and the header needs no script to know which page it is on.
 */
export function HeaderSearch() {
  return (
    <form role="search" action="/search" className="site-search">
      <label htmlFor="site-search" className="visually-hidden">
        Search posts
      </label>
      <input id="site-search" name="q" type="search" placeholder="Search…" maxLength={200} />
      <button type="submit" className="secondary small">
        Search
      </button>
    </form>
  );
}
