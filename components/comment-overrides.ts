import { useSyncExternalStore } from 'react';
import type { OwnCommentEdit, PublicComment } from '@/lib/comments/schemas';

/*
 * What this browser knows about its reader's own comments that the page may not show yet. Post
 * pages come from a cache (Next's on the server, the router's in the browser), so a page rendered
 * before an edit or a delete can come back after it, from router.refresh() or the Back button.
 * The answers of PATCH and DELETE are kept here, for the life of the tab, and drawn over the
 * server's HTML wherever the comment is shown.
 */

/**
 * The answer to the reader's edit, with their Markdown and enough of the comment to show it where it was
 * when a fresh thread no longer has it (held for approval).
 */
export interface CommentEdit extends Pick<OwnCommentEdit, 'html' | 'status'>, Pick<PublicComment, 'authorName' | 'createdAt' | 'parentId'> {
  deleted?: false;
  body: string;
}

export type CommentOverride = { deleted: true } | CommentEdit;

const NONE: ReadonlyMap<number, CommentOverride> = new Map();
let overrides = NONE;
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function setCommentOverride(id: number, override: CommentOverride): void {
  overrides = new Map(overrides).set(id, override);
  for (const listener of listeners) listener();
}

/** Every change this reader made in this tab; none while hydrating, so the server's HTML matches. */
export function useCommentOverrides(): ReadonlyMap<number, CommentOverride> {
  return useSyncExternalStore(
    subscribe,
    () => overrides,
    () => NONE,
  );
}

export const useCommentOverride = (id: number): CommentOverride | undefined => useCommentOverrides().get(id);
