'use client';

import { type MouseEvent, type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { PublicComment } from '@/lib/comments/schemas';

/*
 * The comment form and the thread share one piece of state: which comment, if any, is being
 * answered. With JavaScript, Reply moves the form under that comment and Cancel reply moves it
 * back, in place: the form is mounted where it is needed and starts with what the reader had
 * typed. Without JavaScript, Reply and Cancel reply are the links they render as, and the
 * server's respond page does the same job.
 */

/** The comment a reply answers. */
export type ReplyTarget = Pick<PublicComment, 'id' | 'authorName'>;

/** What the reader has typed into the form, carried along when it moves. */
export interface CommentDraft {
  authorName: string;
  authorEmail: string;
  body: string;
  remember: boolean;
  /** The form's notice, when it moves home after a reply was published. */
  notice?: string;
}

/** Reads the form as it is now, before it moves (its fields are the browser's, not React's). */
function readDraft(): CommentDraft | null {
  const form = document.getElementById('comment-form');
  if (!(form instanceof HTMLFormElement)) return null;
  const value = (name: string) => {
    const field = form.elements.namedItem(name);
    return field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement ? field.value : '';
  };
  const remember = form.elements.namedItem('comment-remember');
  return {
    authorName: value('authorName'),
    authorEmail: value('authorEmail'),
    body: value('body'),
    remember: remember instanceof HTMLInputElement && remember.checked,
  };
}

/** What the server knows for the form: set on the cached page, plus a no-JavaScript post's outcome. */
export interface CommentFormSettings {
  slug: string;
  formToken: string;
  replyTo?: ReplyTarget;
  invalidFields: string[];
  held: boolean;
}

interface Placement {
  reply: ReplyTarget | null;
  /** Under the comment answered (moved there by script) rather than at the end of the thread. */
  inline: boolean;
  /** What was typed, carried over when the form moves; null for the server-rendered form. */
  draft: CommentDraft | null;
  /** Move keyboard focus to the comment field once the form has moved. */
  focusBody: boolean;
}

interface Section {
  form: CommentFormSettings | null;
  placement: Placement;
  startReply: (target: ReplyTarget) => void;
  cancelReply: () => void;
  /** A comment was published: bring the form home and move the reader to the new comment. */
  posted: (id: number, notice: string) => void;
  announce: (message: string) => void;
}

const SectionContext = createContext<Section | null>(null);

export function useCommentSection(): Section {
  const section = useContext(SectionContext);
  if (!section) throw new Error('useCommentSection needs a <CommentSection>.');
  return section;
}

const focusComment = (id: number) => {
  const comment = document.getElementById(`comment-${id}`);
  comment?.scrollIntoView({ block: 'center' });
  comment?.focus({ preventScroll: true });
};

export function CommentSection({ form, children }: { form: CommentFormSettings | null; children: ReactNode }) {
  const [placement, setPlacement] = useState<Placement>({ reply: form?.replyTo ?? null, inline: false, draft: null, focusBody: false });
  // The form's age counts from when the reader was first shown it. A published comment refreshes the
  // page, whose new token would make a short follow-up typed at once look like a bot's (issue 24).
  const [shownToken] = useState(form?.formToken);
  const [message, setMessage] = useState('');
  const afterMove = useRef<(() => void) | null>(null);

  const announce = useCallback((text: string) => {
    // Cleared first, so the same sentence twice in a row is read twice.
    setMessage('');
    window.setTimeout(() => setMessage(text), 100);
  }, []);

  const startReply = useCallback(
    (target: ReplyTarget) => {
      if (placement.inline && placement.reply?.id === target.id) {
        document.getElementById('comment-body')?.focus();
        return;
      }
      setPlacement({ reply: target, inline: true, draft: readDraft(), focusBody: true });
    },
    [placement],
  );

  const cancelReply = useCallback(() => {
    const answered = placement.reply;
    // Back to the Reply link the reader came from, where they were reading.
    if (answered && placement.inline)
      afterMove.current = () => document.querySelector<HTMLElement>(`#comment-${answered.id} .comment-reply`)?.focus();
    setPlacement({ reply: null, inline: false, draft: readDraft(), focusBody: false });
    // The respond page's address (?replyTo=…) would bring the reply back on a reload.
    if (window.location.search) window.history.replaceState(null, '', window.location.pathname);
    announce('Reply cancelled. Your text is kept in the comment form at the end of the comments.');
  }, [placement, announce]);

  const posted = useCallback(
    (id: number, notice: string) => {
      if (!placement.reply) return focusComment(id);
      afterMove.current = () => focusComment(id);
      const draft = readDraft();
      setPlacement({ reply: null, inline: false, draft: draft && { ...draft, notice }, focusBody: false });
    },
    [placement],
  );

  // Runs after the form has moved (or stayed), when the elements to focus exist.
  useEffect(() => {
    afterMove.current?.();
    afterMove.current = null;
  });

  const shownForm = useMemo(() => form && { ...form, formToken: shownToken || form.formToken }, [form, shownToken]);
  const value = useMemo(
    () => ({ form: shownForm, placement, startReply, cancelReply, posted, announce }),
    [shownForm, placement, startReply, cancelReply, posted, announce],
  );

  return (
    <SectionContext.Provider value={value}>
      {children}
      <p id="comments-announcer" className="visually-hidden" role="status">
        {message}
      </p>
    </SectionContext.Provider>
  );
}

const modified = (event: MouseEvent) => event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;

/** Reply under a comment: a link to the server's respond page, and with script the form in place. */
export function ReplyLink({ target, href }: { target: ReplyTarget; href: string }) {
  const { startReply } = useCommentSection();
  return (
    <a
      className="comment-reply"
      href={href}
      aria-label={`Reply to ${target.authorName}`}
      onClick={(event) => {
        if (modified(event)) return;
        event.preventDefault();
        startReply(target);
      }}
    >
      Reply
    </a>
  );
}

/** Cancel reply: back to the plain post page without script, the form back home with it. */
export function CancelReplyLink({ href }: { href: string }) {
  const { cancelReply } = useCommentSection();
  return (
    <a
      href={href}
      onClick={(event) => {
        if (modified(event)) return;
        event.preventDefault();
        cancelReply();
      }}
    >
      Cancel reply
    </a>
  );
}
