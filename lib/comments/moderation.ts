import type { CommentStatus } from '@/db/schema';
import { randomToken, sha256, sign, unsign } from '@/lib/auth/crypto';
import type { SiteSettings } from '@/lib/comments/schemas';

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

export async function readFormAge(token: unknown, now = Date.now()): Promise<number | null> {
  const value = typeof token === 'string' ? await unsign(token) : undefined;
  return value && /^f\d{13}$/.test(value) ? now - Number(value.slice(1)) : null;
}

const LINK = /\bhttps?:\/\/|\bwww\.|\]\(/gi;
export const countLinks = (text: string) => text.match(LINK)?.length ?? 0;

/** The first blocklisted word found in any of the texts (case-insensitive substring, as WordPress does). */
export function findBlockedWord(blocklist: string[], texts: (string | undefined)[]): string | undefined {
  const haystack = texts.filter(Boolean).join('\n').toLowerCase();
  return blocklist.find((word) => haystack.includes(word));
}

/**
 * The status of a new reader comment. `isReturning` says whether this reader (by their signed
 * commenter cookie, never by a typed email) already has an approved comment.
 */
export function decideCommentStatus(
  comment: { authorName: string; authorEmail?: string; body: string },
  settings: SiteSettings,
  signals: SubmissionSignals,
  isReturning: () => boolean,
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
      return isReturning()
        ? { status: 'approved', reason: 'returning commenter' }
        : { status: 'pending', reason: 'first comment from this reader' };
    case 'immediate':
      return { status: 'approved', reason: 'published immediately' };
  }
}

/**
 * The status of a comment after its reader edited it: new text goes through moderation again
 * under the policy in force, so approval cannot be used to publish text the author never saw.
 * A held or spam comment stays as it is.
 */
export function decideEditStatus(
  current: CommentStatus,
  edited: { authorName: string; authorEmail?: string | null; body: string },
  settings: SiteSettings,
): Verdict {
  if (current !== 'approved') return { status: current, reason: 'still awaiting moderation' };
  const links = countLinks(edited.body);
  if (links > settings.maxLinks) return { status: 'pending', reason: `${links} links` };
  const blocked = findBlockedWord(settings.blocklist, [edited.authorName, edited.authorEmail ?? undefined, edited.body]);
  if (blocked) return { status: 'pending', reason: `blocklisted word "${blocked}"` };
  if (settings.moderation === 'hold_all') return { status: 'pending', reason: 'every comment is held, edits too' };
  return { status: 'approved', reason: 'an approved comment edited within the rules' };
}

/* Who a reader is, across comments: a random id in a signed cookie, set when they first comment. */

export const COMMENTER_COOKIE = 'quire_commenter';
export const COMMENTER_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

/** The reader's commenter id if their cookie carries one we signed. */
export async function readCommenterId(cookie: string | undefined): Promise<string | undefined> {
  const value = cookie ? await unsign(cookie) : undefined;
  return value && /^c[A-Za-z0-9_-]{22,64}$/.test(value) ? value : undefined;
}

/** A new commenter id and the signed cookie value that carries it. */
export async function issueCommenterId(): Promise<{ id: string; cookie: string }> {
  const id = `c${randomToken(18)}`;
  return { id, cookie: await sign(id) };
}

/** What the database keeps of a commenter id: its hash, so a copy of the database names no cookie. */
export const commenterKey = (id: string) => sha256(id);

/* Readers may edit or delete their own comment for a while; a signed cookie lists which ones. */

export const EDIT_COOKIE = 'quire_comments';
const MAX_GRANTS = 20;

type Grant = [id: number, expiresAt: number];

async function readGrants(cookie: string | undefined, now: number): Promise<Grant[]> {
  const value = cookie ? await unsign(cookie) : undefined;
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
export async function grantEdit(cookie: string | undefined, id: number, expiresAt: number, now = Date.now()): Promise<string> {
  const grants = [...(await readGrants(cookie, now)).filter(([grantId]) => grantId !== id), [id, expiresAt] as Grant].slice(-MAX_GRANTS);
  return sign(Buffer.from(JSON.stringify(grants)).toString('base64url'));
}

export async function editableIds(cookie: string | undefined, now = Date.now()): Promise<number[]> {
  return (await readGrants(cookie, now)).map(([id]) => id);
}
