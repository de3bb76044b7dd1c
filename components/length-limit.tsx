'use client';

import { type KeyboardEvent, type ReactNode, useState } from 'react';
import { textLength } from '@/lib/schema/fields';

/*
 * A text box's length limit, shown and enforced in the browser. The box has no maxlength once the
 * script runs, so a paste is never cut silently: a text past the limit stays whole, is marked
 * invalid with a message, and is not sent until it is shortened. Without script, maxlength stays:
 * the server would refuse the text, and a form posted without script cannot keep it.
 */

/** The count appears from this share of the limit: far from it, a number is noise. */
const SHOW_FROM = 0.8;

type Band = 'quiet' | 'near' | 'over';

const bandOf = (length: number, max: number): Band => (length > max ? 'over' : length >= max * SHOW_FROM ? 'near' : 'quiet');
const format = (n: number) => n.toLocaleString('en');

/** What a screen reader hears: once when the limit nears and once when it is passed, not at every key. */
function announcementOf(length: number, max: number): string {
  return bandOf(length, max) === 'over' ? `${format(length - max)} characters too many.` : `${format(max - length)} characters left.`;
}

export interface LengthLimit {
  /** The message for a text past the limit, shown as the field's error. */
  error: string | undefined;
  /** The counter's id while it is shown, for the box's aria-describedby. */
  describedBy: string | undefined;
  /** Counts the box's text again: on every input, and after a script empties it. */
  measure: (value: string) => void;
  /** The counter, placed under the box. */
  counter: ReactNode;
}

/**
 * Counts `id`'s text as the API does (textLength) against `max`; `label` names the field in the
 * message, and `announce` says the count to screen readers (a polite live region of the page).
 */
export function useLengthLimit(
  id: string,
  label: string,
  max: number,
  { initial = '', announce }: { initial?: string; announce: (message: string) => void },
): LengthLimit {
  const [length, setLength] = useState(() => textLength(initial));

  const measure = (value: string) => {
    const next = textLength(value);
    setLength(next);
    const band = bandOf(next, max);
    if (band !== bandOf(length, max) && band !== 'quiet') announce(announcementOf(next, max));
  };

  const band = bandOf(length, max);
  const countId = `${id}-count`;
  return {
    error:
      band === 'over' ? `${label} must be at most ${format(max)} characters: this one has ${format(length - max)} too many.` : undefined,
    describedBy: band === 'quiet' ? undefined : countId,
    measure,
    counter: band !== 'quiet' && (
      <p id={countId} className={band === 'over' ? 'char-count over' : 'char-count'}>
        {format(length)} / {format(max)} characters
      </p>
    ),
  };
}

/** Ctrl+Enter (⌘+Enter on a Mac) in a text box sends its form, as in most comment and chat boxes. */
export function sendOnCtrlEnter(event: KeyboardEvent<HTMLTextAreaElement>): void {
  if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.nativeEvent.isComposing) return;
  event.preventDefault();
  const form = event.currentTarget.form;
  // Sent once, like the button, which is disabled while the form is sending.
  if (form && !form.querySelector('button[type="submit"]:disabled')) form.requestSubmit();
}
