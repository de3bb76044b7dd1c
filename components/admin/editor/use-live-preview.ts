import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { callApi } from '@/components/api-client';
import type { PreviewResult } from '@/lib/content/schemas';

/** The pause in typing after which the preview follows the text. */
const PREVIEW_DELAY_MS = 250;

/**
 * The HTML of `markdown`, rendered and sanitised by the server exactly as on save, following the text after a
 * short pause. `error` says why the latest text could not be shown; `html` keeps the last one that could.
 */
export function useLivePreview(markdown: string): { html: string; error: string } {
  const [html, setHtml] = useState('');
  const [error, setError] = useState('');
  // One request at a time: a long post takes seconds to render, and an aborted request would not stop the
  // server's work, so the text typed meanwhile is sent once the answer is in.
  const previewing = useRef<{ busy: boolean; next?: string }>({ busy: false });
  const showPreview = useEffectEvent(async (text: string) => {
    const state = previewing.current;
    if (state.busy) {
      state.next = text;
      return;
    }
    state.busy = true;
    let sending: string | undefined = text;
    while (sending !== undefined) {
      const result = await callApi<PreviewResult>('POST', '/api/admin/preview', { body: sending });
      if (result.ok) {
        setHtml(result.data.html);
        setError('');
      } else setError(result.errors.body ?? result.errors.form ?? Object.values(result.errors)[0] ?? '');
      // The latest text typed meanwhile, unless the typing came back to the text just shown.
      const next = state.next;
      state.next = undefined;
      sending = next === sending ? undefined : next;
    }
    state.busy = false;
  });
  useEffect(() => {
    const timer = setTimeout(() => void showPreview(markdown), PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [markdown]);
  return { html, error };
}
