'use client';

import { useRouter } from 'next/navigation';
import { type ReactNode, createContext, use, useRef, useState } from 'react';
import { callApi } from '@/components/api-client';
import { useHydrated } from '@/components/use-hydrated';

/** Says what happened in the list's status line (the row that did it is gone by then), focusing it if asked. */
const AnnounceContext = createContext<(message: string, focus?: boolean) => void>(() => {});

/** The posts list's status line (role=status), with what its rows' actions report. */
export function PostListStatus({ initialMessage = '', children }: { initialMessage?: string; children: ReactNode }) {
  const [message, setMessage] = useState(initialMessage);
  const status = useRef<HTMLParagraphElement>(null);
  const announce = (text: string, focus = false) => {
    setMessage(text);
    if (focus) status.current?.focus();
  };
  return (
    <AnnounceContext value={announce}>
      <p ref={status} className="notice" role="status" tabIndex={-1}>
        {message}
      </p>
      {children}
    </AnnounceContext>
  );
}

/**
 * Deletes a post through the API after a confirmation, then refreshes the server-rendered list. Deleting
 * needs script (the API's DELETE has no form fallback), so the button stays disabled until it has it.
 */
export function DeletePostButton({ slug, title }: { slug: string; title: string }) {
  const router = useRouter();
  const announce = use(AnnounceContext);
  const hydrated = useHydrated();
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  async function remove() {
    if (!window.confirm(`Delete “${title}” and its comments? This cannot be undone.`)) return;
    setBusy(true);
    const result = await callApi('DELETE', `/api/posts/${encodeURIComponent(slug)}`);
    setBusy(false);
    if (!result.ok && result.status !== 404) {
      announce(`“${title}” was not deleted: ${result.errors.form ?? Object.values(result.errors)[0]}`);
      return;
    }
    // Focus moves to the next row's Delete (rows keep their elements through the refresh), the previous
    // row's, or, with no row left, the status line, rather than to the page's start.
    const row = button.current?.closest('tr');
    const neighbour = (row?.nextElementSibling ?? row?.previousElementSibling)?.querySelector<HTMLButtonElement>('button.danger');
    announce(result.ok ? `Deleted “${title}”.` : `“${title}” had already been deleted.`, !neighbour);
    neighbour?.focus();
    router.refresh();
  }

  return (
    <button ref={button} type="button" className="danger small" disabled={!hydrated || busy} onClick={remove}>
      Delete<span className="visually-hidden"> “{title}”</span>
    </button>
  );
}
