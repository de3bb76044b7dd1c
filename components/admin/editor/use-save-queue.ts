import { useEffect, useEffectEvent, useRef, useState } from 'react';

/** The pause in typing after which a form that may save itself does. */
const AUTOSAVE_DELAY_MS = 1_500;

/** What a save was asked to do: one of the form's buttons, or a save nobody asked for, after a pause in typing. */
export type SaveIntent<Intent extends string> = Intent | 'autosave';

/** Where the latest save stands, for the status line; a failed one keeps its intent, for Retry. */
export type SaveState<Intent extends string> =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'error'; message: string; intent: SaveIntent<Intent> };

/**
 * How a save tells the queue where it stands, from within its own steps so the form's other state changes with it.
 * A save refused before any request, with its reason shown at a field, reports nothing.
 */
export interface SaveReport {
  /** The request is on its way. */
  sending(): void;
  /** The server stored the values; `snapshot` is them as stored, what later changes are measured against. */
  saved(snapshot: string): void;
  /** Nothing was stored, for this reason. */
  failed(message: string): void;
}

/**
 * A form's saves, run one after another, so a save asked for while another is in flight never creates a
 * second post; whether anything is unsaved; and, while `canAutosave`, a save of its own after a pause in typing.
 */
export function useSaveQueue<Intent extends string>({
  snapshot,
  canAutosave,
  send,
}: {
  /** The form's values as one string: when it differs from the last one saved, there is something to save. */
  snapshot: string;
  canAutosave: boolean;
  /** Sends the values of the render that asked for the save (not those of its turn in the queue). */
  send: (intent: SaveIntent<Intent>, report: SaveReport) => Promise<void>;
}) {
  const [savedSnapshot, setSavedSnapshot] = useState(snapshot);
  const [saveState, setSaveState] = useState<SaveState<Intent>>({ kind: 'idle' });
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const dirty = snapshot !== savedSnapshot;

  /** Queues a save of the values as they are now. */
  function save(intent: SaveIntent<Intent>): Promise<void> {
    const report: SaveReport = {
      sending: () => setSaveState({ kind: 'saving' }),
      saved: (stored) => {
        setSavedSnapshot(stored);
        setSaveState({ kind: 'saved', at: new Date().toISOString() });
      },
      failed: (message) => setSaveState({ kind: 'error', message, intent }),
    };
    const run = queue.current.then(() => send(intent, report));
    queue.current = run.catch(() => undefined);
    return run;
  }

  const autosave = useEffectEvent(() => void save('autosave'));
  useEffect(() => {
    if (!dirty || !canAutosave) return;
    const timer = setTimeout(autosave, AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [snapshot, dirty, canAutosave]);

  return { saveState, dirty, save };
}
