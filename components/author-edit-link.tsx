'use client';

import { usePathname } from 'next/navigation';
import { useSyncExternalStore } from 'react';
import { SIGNED_IN_HINT_COOKIE } from '@/lib/auth/signed-in-hint';

const noSubscription = () => () => {};
const hasHint = () => document.cookie.split(/;\s*/).includes(`${SIGNED_IN_HINT_COOKIE}=1`);

/**
 * Whether an author is signed in in this browser, from the hint cookie: pages every reader shares
 * from the cache ask after hydration (the server renders them for nobody). It grants nothing: the
 * admin pages check the session themselves.
 */
const useSignedIn = () => useSyncExternalStore(noSubscription, hasHint, () => false);

/** "Edit post" for the signed-in author. */
export function AuthorEditLink({ postId, title }: { postId: number; title: string }) {
  if (!useSignedIn()) return null;
  return (
    <p className="author-tools">
      <a href={`/admin/posts/${postId}`}>
        Edit post<span className="visually-hidden"> “{title}”</span>
      </a>
    </p>
  );
}

/** On a post's 404, the author may be looking for a draft: its preview is one step away. */
export function DraftPreviewHint() {
  const pathname = usePathname();
  if (!useSignedIn()) return null;
  return (
    <p>
      If this is a draft or a scheduled post, <a href={`${pathname}/preview`}>preview it</a>.
    </p>
  );
}
