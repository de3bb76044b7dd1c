'use client';

import { type ReactNode, createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { OwnComments } from '@/lib/comments/schemas';

/*
 * Post pages are cached and the same for everyone, so the edit and delete buttons on a reader's
 * own comments are added in the browser: one request to /api/comments/mine, which reads the
 * reader's signed edit cookie, made only when this browser has posted a comment recently.
 */

const HINT_KEY = 'quire:own-comments-until';
/** Longer than any edit window; the server decides what may really still be changed. */
const HINT_MS = 24 * 60 * 60 * 1000;

/** Called after this browser posts a comment, so its pages look for the reader's own comments. */
export function rememberOwnComment(): void {
  try {
    localStorage.setItem(HINT_KEY, String(Date.now() + HINT_MS));
  } catch {
    // Storage may be disabled; the buttons then stay hidden, nothing breaks.
  }
}

function mayHaveOwnComments(): boolean {
  try {
    return Number(localStorage.getItem(HINT_KEY) ?? 0) > Date.now();
  } catch {
    return false;
  }
}

type OwnCommentSources = { sources: Map<number, string>; reload: () => void };
const OwnCommentsContext = createContext<OwnCommentSources>({ sources: new Map(), reload: () => {} });

/** `revision` changes when the thread does (a comment added or removed), which reloads the list. */
export function OwnCommentsProvider({ revision, children }: { revision: number; children: ReactNode }) {
  const [sources, setSources] = useState<Map<number, string>>(new Map());
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);

  useEffect(() => {
    if (!mayHaveOwnComments()) return;
    const controller = new AbortController();
    fetch('/api/comments/mine', { signal: controller.signal, headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : { data: [] }))
      .then(({ data }: OwnComments) => setSources(new Map(data.map(({ id, body }) => [id, body]))))
      .catch(() => {});
    return () => controller.abort();
  }, [revision, reloads]);

  return <OwnCommentsContext.Provider value={{ sources, reload }}>{children}</OwnCommentsContext.Provider>;
}

/**
 * The Markdown of comment `id` when it is the reader's own and still within the edit window, and a
 * way to reload the list.
 */
export function useOwnComment(id: number): { source: string | undefined; reload: () => void } {
  const { sources, reload } = useContext(OwnCommentsContext);
  return { source: sources.get(id), reload };
}

/** Reloads the reader's own comments, after they post one (the thread's count alone may not change). */
export function useReloadOwnComments(): () => void {
  return useContext(OwnCommentsContext).reload;
}
