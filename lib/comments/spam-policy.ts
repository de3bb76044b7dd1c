import type { CommentStatus } from '@/db/schema';
import { sign, unsign } from '@/lib/auth/crypto';
import type { CommentSettings } from '@/lib/comments/schemas';
import type { VisibleContent } from '@/lib/render/markdown-pipeline';
import { pluralize } from '@/lib/site/format';

/*
 * Spam policy for reader comments: the signals a submission carries (its signed form token among
 * them), and the status they, the settings and the comment's content decide. Nothing a reader
 * submits is thrown away: bots' comments are stored as spam and doubtful ones held as pending, so
 * the author can always review them.
 */

/** Signals gathered from the submission itself. */
export interface SubmissionSignals {
  /** The hidden field people never see was filled in. */
  honeypotFilled: boolean;
  /** Milliseconds between rendering the form and submitting it, when the form's token was sent. */
  formAgeMs: number | null;
}

export interface Verdict {
  status: CommentStatus;
  /** Why, in words the author reads in the queue ("blocklisted word: …"); stored with a held or spam comment. */
  reason: string;
}

/**
 * The token a comment form carries: when it was rendered, signed so it cannot be forged. The page
 * keeps the token it was shown with (components/comment-section.tsx), so a reader's second comment
 * is timed from when they first saw the form, not from the refresh after their first one.
 */
export const issueFormToken = (now = Date.now()) => sign(`f${now}`);

export async function readFormAge(token: unknown, now = Date.now()): Promise<number | null> {
  const value = typeof token === 'string' ? await unsign(token) : undefined;
  return value && /^f\d{13}$/.test(value) ? now - Number(value.slice(1)) : null;
}

/** What the spam checks read of a comment: who wrote it, and what its rendered HTML shows (lib/render/markdown.ts). */
export interface CommentContent {
  authorName: string;
  authorEmail?: string | null;
  visible: VisibleContent;
}

/** Invisible characters (zero-width spaces and joiners, soft hyphens, bidi controls) and combining marks (accents). */
const IGNORED = /[\p{Default_Ignorable_Code_Point}\p{M}]/gu;

/**
 * Text as the checks compare it, so that what reads the same matches the same: compatibility forms
 * as their letters (NFKC: full-width, ligatures), case folded (upper then lower case: ß is ss),
 * accents and invisible characters dropped.
 */
export const foldText = (text: string) =>
  text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKD').replace(IGNORED, '').normalize('NFKC');

/** Punctuation inside a word (`v\iagra`, `v.i.a.g.r.a`) reads past; between words it separates them. */
const INNER_PUNCTUATION = /(?<=[\p{L}\p{N}])[\p{P}\p{S}]+(?=[\p{L}\p{N}])/gu;
const joined = (folded: string) => folded.replace(INNER_PUNCTUATION, '');
const PUNCTUATION = /[\p{P}\p{S}]/u;

/** An address shown as text that no link carries: `https://…` or `www.…`. */
const ADDRESS = /\bhttps?:\/\/|\bwww\./g;
const addressesIn = (text: string) => foldText(text).match(ADDRESS)?.length ?? 0;

/**
 * The links a reader sees: every link of the rendered HTML, however the Markdown wrote it, and every
 * address shown as text (an entity-encoded one is not made a link), the links' own text left out.
 */
export const countLinks = ({ hrefs, text, linkText }: VisibleContent) =>
  hrefs.length + Math.max(0, addressesIn(text) - addressesIn(linkText));

/** An address with its percent-escapes decoded (`v%69agra`), as a browser's address bar shows it. */
function decodeAddress(href: string): string {
  return href.replace(/(?:%[\da-f]{2})+/gi, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
}

interface FoldedWord {
  word: string;
  folded: string;
  /** Set when the word has punctuation of its own: it is also looked for without what joined() drops. */
  joined?: string;
}

/** The last blocklist folded: settings come as a fresh copy for each request, the list rarely changes. */
let foldedBlocklist: { key: string; words: FoldedWord[] } | undefined;

function foldBlocklist(blocklist: string[]): FoldedWord[] {
  const key = JSON.stringify(blocklist);
  if (foldedBlocklist?.key !== key) {
    const words = blocklist.map((word): FoldedWord => {
      const folded = foldText(word);
      return PUNCTUATION.test(folded) ? { word, folded, joined: joined(folded) } : { word, folded };
    });
    foldedBlocklist = { key, words: words.filter(({ folded }) => folded !== '') };
  }
  return foldedBlocklist.words;
}

/**
 * The first blocklisted word found in any of the texts: a substring, as WordPress does, of the texts
 * folded (foldText) with punctuation inside words dropped on both sides. A word with punctuation of
 * its own (`@spam.example`) may also match as it is written.
 */
export function findBlockedWord(blocklist: string[], texts: (string | null | undefined)[]): string | undefined {
  const haystack = foldText(texts.filter(Boolean).join('\n'));
  const haystackJoined = joined(haystack);
  // Without punctuation of its own, a word found in the text is also found in the joined text.
  return foldBlocklist(blocklist).find(({ folded, joined: inner }) =>
    inner === undefined ? haystackJoined.includes(folded) : haystackJoined.includes(inner) || haystack.includes(folded),
  )?.word;
}

/**
 * Links and the blocklist, for new comments and readers' edits alike, judged on what the comment
 * shows: the Markdown can spell a link or a word in ways that never render as written.
 */
function checkContent(comment: CommentContent, settings: CommentSettings): Verdict | undefined {
  const links = countLinks(comment.visible);
  if (links > settings.maxLinks) return { status: 'pending', reason: `${pluralize(links, 'link')} (the limit is ${settings.maxLinks})` };
  const { text, hrefs } = comment.visible;
  const blocked = findBlockedWord(settings.blocklist, [comment.authorName, comment.authorEmail, text, ...hrefs.map(decodeAddress)]);
  if (blocked) return { status: 'pending', reason: `blocklisted word: “${blocked}”` };
  return undefined;
}

/**
 * The status of a new reader comment. `isReturning` says whether this reader (by their signed
 * commenter cookie, never by a typed email) already has an approved comment.
 */
export function decideCommentStatus(
  comment: CommentContent,
  settings: CommentSettings,
  signals: SubmissionSignals,
  isReturning: () => boolean,
): Verdict {
  if (signals.honeypotFilled) return { status: 'spam', reason: 'the hidden field only bots fill in was filled in' };
  if (signals.formAgeMs !== null && signals.formAgeMs < settings.minSubmitSeconds * 1000) {
    const seconds = Math.max(0, Math.floor(signals.formAgeMs / 1000));
    return { status: 'spam', reason: `sent ${seconds} s after the form was shown (the minimum is ${settings.minSubmitSeconds} s)` };
  }
  const held = checkContent(comment, settings);
  if (held) return held;
  switch (settings.moderation) {
    case 'hold_all':
      return { status: 'pending', reason: 'every comment is held' };
    case 'hold_first_time':
      return isReturning()
        ? { status: 'approved', reason: 'returning commenter' }
        : { status: 'pending', reason: 'first comment from this browser' };
    case 'immediate':
      return { status: 'approved', reason: 'published immediately' };
  }
}

/**
 * The status of a comment after its reader edited it: new text goes through moderation again
 * under the policy in force, so approval cannot be used to publish text the author never saw.
 * A held or spam comment stays as it is.
 */
export function decideEditStatus(current: CommentStatus, edited: CommentContent, settings: CommentSettings): Verdict {
  if (current !== 'approved') return { status: current, reason: 'still awaiting moderation' };
  const held = checkContent(edited, settings);
  if (held) return held;
  if (settings.moderation === 'hold_all') return { status: 'pending', reason: 'every comment is held, edits too' };
  return { status: 'approved', reason: 'an approved comment edited within the rules' };
}
