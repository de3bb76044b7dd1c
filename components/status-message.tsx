import type { Ref } from 'react';

/** What an action did, with an optional way to take it back ("Undo"). */
export interface Status {
  text: string;
  action?: { label: string; run: () => void; disabled?: boolean };
  /** A new id announces the same text again (screen readers skip a live region whose text did not change). */
  id?: number;
}

/**
 * The result of an action, in one polite live region that is always in the page (a region added with its
 * text is often not announced). It can take focus, so a script can move focus to it once the control
 * that was used is gone; errors go to FormError's role="alert" instead.
 */
export function StatusMessage({ status, ref }: { status: Status | null; ref?: Ref<HTMLDivElement> }) {
  return (
    <div ref={ref} className="status-message" role="status" aria-live="polite" tabIndex={-1}>
      {status && (
        <p key={status.id}>
          {status.text}
          {status.action && (
            <>
              {' '}
              <button type="button" className="secondary small" onClick={status.action.run} disabled={status.action.disabled}>
                {status.action.label}
              </button>
            </>
          )}
        </p>
      )}
    </div>
  );
}
