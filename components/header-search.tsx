/**
 * The header's search box. A page with a search form of its own in its main content (the search
 * page, with the query and help) hides this one in CSS (app/globals.css), so there is one search
 * box per page and the header needs no script to know which page it is on. Named all the same:
 * where CSS does not hide it (reader views, text browsers, no stylesheet), two unnamed search
 * landmarks cannot be told apart.
 */
export function HeaderSearch() {
  return (
    <form role="search" aria-label="Site" action="/search" className="site-search">
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
