'use client';

import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { CreatedComment, OwnComments, OwnHeldComments } from '@/lib/comments/schemas';

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

/*
 * Comments held for moderation are not on the cached page, so the writer's browser asks for them:
 * one uncached request to /api/posts/{slug}/comments/mine, which knows the writer by their signed
 * commenter cookie, made only on a post where this browser sent a comment that was held. The
 * comments are then shown to their writer alone, in their place, marked as awaiting moderation.
 */

const HELD_KEY = 'quire:held-comments';
/** Moderation can take days; a comment still held after this is left to the queue. */
const HELD_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_HELD = 50;

interface HeldHint {
  slug: string;
  id: number;
  until: number;
}

function readHeldHints(): HeldHint[] {
  try {
    const hints = JSON.parse(localStorage.getItem(HELD_KEY) ?? '[]') as unknown;
    return Array.isArray(hints)
      ? hints.filter(
          (hint): hint is HeldHint =>
            typeof hint?.slug === 'string' && Number.isInteger(hint?.id) && typeof hint?.until === 'number' && hint.until > Date.now(),
        )
      : [];
  } catch {
    return [];
  }
}

function writeHeldHints(hints: HeldHint[]): void {
  try {
    if (hints.length > 0) localStorage.setItem(HELD_KEY, JSON.stringify(hints.slice(-MAX_HELD)));
    else localStorage.removeItem(HELD_KEY);
  } catch {
    // Storage may be disabled: the held comment is then shown until the page is left, as before.
  }
}

/** Called when this browser's comment on post `slug` is held, so the post's page shows it to its writer. */
function rememberHeldComment(slug: string, id: number): void {
  writeHeldHints([...readHeldHints().filter((hint) => hint.id !== id), { slug, id, until: Date.now() + HELD_MS }]);
}

type OwnCommentSources = {
  sources: Map<number, string>;
  reload: () => void;
  /** The reader's own comments on this post that await moderation, oldest first. */
  held: CreatedComment[];
  /** A comment just sent was held: shown at once, and on this post's page from now on. */
  addHeld: (comment: CreatedComment) => void;
  /** A reader's edit of comment `id` was held: the post's page shows it to them from now on. */
  rememberHeld: (id: number) => void;
};
const OwnCommentsContext = createContext<OwnCommentSources>({
  sources: new Map(),
  reload: () => {},
  held: [],
  addHeld: () => {},
  rememberHeld: () => {},
});

/**
 * `revision` changes when the thread does (a comment added or removed), which reloads the list.
 * `initialHeld` comes from the server on the page a no-JavaScript post returns to; cached pages have none.
 */
export function OwnCommentsProvider({
  slug,
  revision,
  initialHeld = [],
  children,
}: {
  slug: string;
  revision: number;
  initialHeld?: CreatedComment[];
  children: ReactNode;
}) {
  const [sources, setSources] = useState<Map<number, string>>(new Map());
  const [held, setHeld] = useState<CreatedComment[]>(initialHeld);
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const rememberHeld = useCallback((id: number) => rememberHeldComment(slug, id), [slug]);
  const addHeld = useCallback(
    (comment: CreatedComment) => {
      rememberHeld(comment.id);
      setHeld((list) => [...list.filter(({ id }) => id !== comment.id), comment].sort((a, b) => a.id - b.id));
    },
    [rememberHeld],
  );

  useEffect(() => {
    if (!mayHaveOwnComments()) return;
    const controller = new AbortController();
    fetch('/api/comments/mine', { signal: controller.signal, headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : { data: [] }))
      .then(({ data }: OwnComments) => setSources(new Map(data.map(({ id, body }) => [id, body]))))
      .catch(() => {});
    return () => controller.abort();
  }, [revision, reloads]);

  useEffect(() => {
    if (!readHeldHints().some((hint) => hint.slug === slug)) return;
    const controller = new AbortController();
    fetch(`/api/posts/${encodeURIComponent(slug)}/comments/mine`, { signal: controller.signal, headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? (response.json() as Promise<OwnHeldComments>) : null))
      .then((answer) => {
        if (!answer) return;
        setHeld(answer.data);
        // Approved or deleted since: nothing more to ask for on this post.
        const still = new Set(answer.data.map(({ id }) => id));
        writeHeldHints(readHeldHints().filter((hint) => hint.slug !== slug || still.has(hint.id)));
      })
      .catch(() => {});
    return () => controller.abort();
  }, [slug, revision, reloads]);

  const value = useMemo(() => ({ sources, reload, held, addHeld, rememberHeld }), [sources, reload, held, addHeld, rememberHeld]);
  return <OwnCommentsContext.Provider value={value}>{children}</OwnCommentsContext.Provider>;
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

/** The reader's own held comments on this post, and ways to add one they just sent or edited. */
export function useHeldComments(): Pick<OwnCommentSources, 'held' | 'addHeld' | 'rememberHeld'> {
  const { held, addHeld, rememberHeld } = useContext(OwnCommentsContext);
  return { held, addHeld, rememberHeld };
}
