import type { CommentStatus } from '@/db/schema';
import { sign, unsign } from '@/lib/crypto';
import type { SiteSettings } from '@/lib/settings';

/*
 * Spam defences for reader comments. Nothing a reader submits is thrown away: bots' comments are
 * stored as spam and doubtful ones held as pending, so the author can always review them.
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
  reason: string;
}

/** The token a comment form carries: when it was rendered, signed so it cannot be forged. */
export const issueFormToken = (now = Date.now()) => sign(`f${now}`);

export function readFormAge(token: unknown, now = Date.now()): number | null {
  const value = typeof token === 'string' ? unsign(token) : undefined;
  return value && /^f\d{13}$/.test(value) ? now - Number(value.slice(1)) : null;
}

const LINK = /\bhttps?:\/\/|\bwww\.|\]\(/gi;
export const countLinks = (text: string) => text.match(LINK)?.length ?? 0;

/** The first blocklisted word found in any of the texts (case-insensitive substring, as WordPress does). */
export function findBlockedWord(blocklist: string[], texts: (string | undefined)[]): string | undefined {
  const haystack = texts.filter(Boolean).join('\n').toLowerCase();
  return blocklist.find((word) => haystack.includes(word));
}

export function decideCommentStatus(
  comment: { authorName: string; authorEmail?: string; body: string },
  settings: SiteSettings,
  signals: SubmissionSignals,
  hasApprovedComment: (email: string) => boolean,
): Verdict {
  if (signals.honeypotFilled) return { status: 'spam', reason: 'honeypot field filled' };
  if (signals.formAgeMs !== null && signals.formAgeMs < settings.minSubmitSeconds * 1000) {
    return { status: 'spam', reason: 'submitted faster than a person types' };
  }
  const links = countLinks(comment.body);
  if (links > settings.maxLinks) return { status: 'pending', reason: `${links} links` };
  const blocked = findBlockedWord(settings.blocklist, [comment.authorName, comment.authorEmail, comment.body]);
  if (blocked) return { status: 'pending', reason: `blocklisted word "${blocked}"` };
  switch (settings.moderation) {
    case 'hold_all':
      return { status: 'pending', reason: 'every comment is held' };
    case 'hold_first_time':
      return comment.authorEmail && hasApprovedComment(comment.authorEmail)
        ? { status: 'approved', reason: 'returning commenter' }
        : { status: 'pending', reason: 'first comment from this address' };
    default:
      return { status: 'approved', reason: 'published immediately' };
  }
}

/* Readers may edit or delete their own comment for a while; a signed cookie lists which ones. */

export const EDIT_COOKIE = 'quire_comments';
const MAX_GRANTS = 20;

type Grant = [id: number, expiresAt: number];

function readGrants(cookie: string | undefined, now: number): Grant[] {
  const value = cookie ? unsign(cookie) : undefined;
  if (!value) return [];
  try {
    const grants = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(grants)) return [];
    return grants.filter((g): g is Grant => Array.isArray(g) && Number.isInteger(g[0]) && typeof g[1] === 'number' && g[1] > now);
  } catch {
    return [];
  }
}

/** The cookie value after granting edits of comment `id` until `expiresAt`. */
export function grantEdit(cookie: string | undefined, id: number, expiresAt: number, now = Date.now()): string {
  const grants = [...readGrants(cookie, now).filter(([grantId]) => grantId !== id), [id, expiresAt] as Grant].slice(-MAX_GRANTS);
  return sign(Buffer.from(JSON.stringify(grants)).toString('base64url'));
}

export function editableIds(cookie: string | undefined, now = Date.now()): number[] {
  return readGrants(cookie, now).map(([id]) => id);
}
