/**
 * Set while an author is signed in, readable by the page's script: cached public pages show the
 * author an "Edit" link with it (components/author-edit-link.tsx). It grants nothing; the session
 * cookie beside it stays HttpOnly. A module of its own, so the browser's bundle holds this name only.
 */
export const SIGNED_IN_HINT_COOKIE = 'quire_signed_in';
