import { and, eq, sql } from 'drizzle-orm';
import { preparedQuery, queryRows, transaction } from '@/db';
import { type CommentStatus, comments } from '@/db/schema';
import { AppError, fieldError, notFound } from '@/lib/errors';
import type { LimitAddress } from '@/lib/http/client-address';
import { renderComment } from '@/lib/render/markdown';
import { type SubmissionSignals, decideCommentStatus, decideEditStatus, readFormAge } from '@/lib/comments/spam-policy';
import {
  COMMENTER_COOKIE_MAX_AGE_SECONDS,
  commenterKey,
  editableIds,
  grantEdit,
  issueCommenterId,
  readCommenterId,
} from '@/lib/comments/reader-cookies';
import { hit, tooManyRequests } from '@/lib/rate-limit';
import type { AdminComment, CommentCreateInput, CommentSettings, CreatedComment } from '@/lib/comments/schemas';
import { getCommentSettings } from '@/lib/comments/settings';
import { commentsAllowed, getAdminComment, isWithinEditWindow, publicColumns, requireLivePost } from '@/lib/comments/reads';
import { expireComments, textEdit, writeComment } from '@/lib/comments/moderation-queue';
import type { AuthUser } from '@/lib/auth/schemas';

/*
 * A new comment, from a reader or the signed-in author: where it attaches, its status, the reader's
 * cookies and rate limits. Also a reader's changes to their own comment within the edit window.
 */

/** A new comment as stored: the API tells its writer of a spam one as pending (see submitComment). */
export type StoredComment = Omit<CreatedComment, 'status'> & { status: CommentStatus };

export interface CommentContext {
  /** Set when the blog's author writes while signed in: published at once, marked as the author's. */
  author?: AuthUser;
  signals?: SubmissionSignals;
  /** Who the reader is across comments (see lib/comments/reader-cookies.ts), when their browser keeps cookies. */
  commenterKey?: string;
  /** The site's settings, when the caller has read them already (one read per request). */
  settings?: CommentSettings;
  /** A reader's address (their rate limit's key): their comment is rendered in the readers' lane, at their turn. */
  reader?: string;
}

const approvedCommentOf = preparedQuery((db) =>
  db
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.commenterKey, sql.placeholder('key')), eq(comments.status, 'approved')))
    .limit(1),
);

/** Whether this reader has a comment the author approved (index: commenter_key, status). */
async function hasApprovedComment(key: string): Promise<boolean> {
  return (await approvedCommentOf({ key })).length > 0;
}

/** A comment and its ancestors, the thread's top-level comment first (chain[k] sits at depth k + 1). */
const threadOf = (id: number) =>
  queryRows<{ id: number; status: CommentStatus }>(sql`
    WITH RECURSIVE ancestors(id, parent_id, status, depth) AS (
      SELECT id, parent_id, status, 0 FROM comments WHERE id = ${id}
      UNION ALL
      SELECT c.id, c.parent_id, c.status, a.depth + 1 FROM comments c JOIN ancestors a ON c.id = a.parent_id WHERE a.depth < 100
    )
    SELECT id, status FROM ancestors ORDER BY depth DESC`);

/**
 * Where a reply attaches so threads never nest deeper than `maxDepth` (top-level comments are at
 * depth 1): under the requested comment, or else under its deepest ancestor that still allows one.
 */
export async function resolveReplyParent(parentId: number, maxDepth: number, chain?: { id: number }[]): Promise<number | null> {
  chain ??= await threadOf(parentId);
  if (maxDepth <= 1 || chain.length === 0) return null;
  return chain[Math.min(chain.length, maxDepth - 1) - 1]!.id;
}

/**
 * The comment a new one answers, checked inside its transaction. Readers answer only what they can
 * see. The author may also answer a held comment, which approves it, as WordPress's "Approve and
 * Reply" does: a published answer to a comment nobody can read would stand alone on the post. So
 * the held comment's own thread must be published, and a spam comment is marked "not spam" first.
 * Answers the thread (for resolveReplyParent) and whether the parent was approved here.
 */
async function checkReplyParent(parentId: number, postId: number, author: boolean) {
  const [parent] = await commentParent({ id: parentId });
  if (!parent || (parent.status !== 'approved' && !author)) throw fieldError('parentId', 'The comment you are replying to does not exist.');
  if (parent.postId !== postId) throw fieldError('parentId', 'A reply must belong to the same post as the comment it answers.');
  if (parent.status === 'spam')
    throw fieldError('parentId', 'The comment you are replying to is marked as spam: mark it as not spam first.');
  const chain = await threadOf(parentId);
  if (parent.status === 'approved') return { chain, approvedParent: false };
  if (chain.some((comment) => comment.id !== parentId && comment.status !== 'approved')) {
    throw fieldError('parentId', 'The comment you are replying to answers one that is not published: approve that one first.');
  }
  // Only while it is still held: had it been moderated meanwhile, the author replied to what they no longer see.
  const approved = await approveHeld({ id: parentId, updatedAt: new Date().toISOString() });
  if (approved.length === 0) throw fieldError('parentId', 'The comment you are replying to was moderated meanwhile: reload the queue.');
  return { chain, approvedParent: true };
}

const commentParent = preparedQuery((db) =>
  db
    .select({ postId: comments.postId, status: comments.status })
    .from(comments)
    .where(eq(comments.id, sql.placeholder('id')))
    .limit(1),
);

const approveHeld = preparedQuery((db) =>
  db
    .update(comments)
    .set({ status: 'approved', updatedAt: sql`${sql.placeholder('updatedAt')}` })
    .where(and(eq(comments.id, sql.placeholder('id')), eq(comments.status, 'pending')))
    .returning({ id: comments.id }),
);

/** Every column is a placeholder: created_at included, whose default would be taken once (see preparedQuery). */
const insertComment = preparedQuery((db) =>
  db
    .insert(comments)
    .values({
      postId: sql.placeholder('postId'),
      parentId: sql.placeholder('parentId'),
      authorName: sql.placeholder('authorName'),
      authorEmail: sql.placeholder('authorEmail'),
      authorUserId: sql.placeholder('authorUserId'),
      commenterKey: sql.placeholder('commenterKey'),
      body: sql.placeholder('body'),
      html: sql.placeholder('html'),
      status: sql.placeholder('status'),
      moderationReason: sql.placeholder('moderationReason'),
      createdAt: sql.placeholder('createdAt'),
    })
    .returning({ ...publicColumns, status: comments.status }),
);

export async function createComment(slug: string, input: CommentCreateInput, context: CommentContext = {}): Promise<StoredComment> {
  const { html, visible } = await renderComment(input.body, context.author ? undefined : context.reader);
  const settings = context.settings ?? (await getCommentSettings());
  let approvedParent = false;
  const created = await transaction(async () => {
    const post = await requireLivePost(slug);
    if (!context.author && !commentsAllowed(post, settings)) throw new AppError('forbidden', 'Comments are closed on this post.');
    const replyTo = input.parentId === undefined ? undefined : await checkReplyParent(input.parentId, post.id, Boolean(context.author));
    approvedParent = replyTo?.approvedParent ?? false;
    const authorEmail = context.author?.email ?? input.authorEmail?.toLowerCase() ?? null;
    const { commenterKey } = context;
    // Only "hold first-time commenters" asks whether the reader has been approved before.
    const returning =
      !context.author &&
      settings.moderation === 'hold_first_time' &&
      commenterKey !== undefined &&
      (await hasApprovedComment(commenterKey));
    const signals = context.signals ?? { honeypotFilled: false, formAgeMs: null };
    const verdict = context.author ? undefined : decideCommentStatus({ ...input, visible }, settings, signals, () => returning);
    const status = verdict?.status ?? 'approved';
    const parentId = replyTo ? await resolveReplyParent(input.parentId!, settings.maxReplyDepth, replyTo.chain) : null;
    const [created] = await insertComment({
      postId: post.id,
      parentId,
      authorName: context.author?.name ?? input.authorName,
      authorEmail,
      authorUserId: context.author?.id ?? null,
      commenterKey: context.author ? null : (context.commenterKey ?? null),
      body: input.body,
      html,
      status,
      moderationReason: status === 'approved' ? null : verdict!.reason,
      createdAt: new Date().toISOString(),
    });
    return created!;
  });
  // A held or spam comment changes nothing readers see, so no cached page is expired for it.
  if (created.status === 'approved') expireComments([slug], approvedParent ? [created.id, input.parentId!] : [created.id]);
  return created;
}

/** Flood control for readers: comment posts per address per window, from the settings. */
export async function checkCommentRate(address: LimitAddress, settings?: CommentSettings): Promise<void> {
  const limit = (settings ?? (await getCommentSettings())).commentRateLimit;
  const state = await hit(`comment:${address}`, limit);
  if (state.count > limit.max) throw tooManyRequests(state.retryAfter, 'You are posting comments too quickly.');
}

/** Readers' edits of their own comments are limited the same way, counted apart from new comments. */
export async function checkCommentEditRate(address: LimitAddress): Promise<void> {
  const limit = (await getCommentSettings()).commentRateLimit;
  const state = await hit(`comment-edit:${address}`, limit);
  if (state.count > limit.max) throw tooManyRequests(state.retryAfter, 'You are changing comments too quickly.');
}

type CookieToSet = { value: string; maxAgeSeconds: number };

export interface SubmittedComment {
  /** As shown to the submitter: a comment judged spam is reported as pending, so bots learn nothing. */
  comment: CreatedComment;
  /** The reader's new edit-grant cookie value, when they may edit this comment for a while. */
  editGrants?: CookieToSet;
  /** A new commenter cookie, for a reader who had none. */
  commenter?: CookieToSet;
}

/** A comment from the public form or API: spam signals read, status decided, reader recognised, edit grant issued. */
export async function submitComment(
  slug: string,
  input: CommentCreateInput,
  {
    author,
    editCookie,
    commenterCookie,
    settings,
    reader,
    now = Date.now(),
  }: { author?: AuthUser; editCookie?: string; commenterCookie?: string; settings?: CommentSettings; reader?: string; now?: number },
): Promise<SubmittedComment> {
  settings ??= await getCommentSettings();
  const signals = {
    honeypotFilled: input.website !== undefined && input.website !== '',
    formAgeMs: await readFormAge(input.formToken, now),
  };
  const known = author ? undefined : await readCommenterId(commenterCookie);
  const issued = author || known ? undefined : await issueCommenterId();
  const commenterId = known ?? issued?.id;
  const comment = await createComment(slug, input, {
    author,
    signals,
    commenterKey: commenterId && commenterKey(commenterId),
    settings,
    reader,
  });
  const shown = { ...comment, status: comment.status === 'spam' ? ('pending' as const) : comment.status };
  // A bot learns nothing it could use: its comment gets no cookies.
  if (comment.status === 'spam') return { comment: shown };
  const commenter = issued && { value: issued.cookie, maxAgeSeconds: COMMENTER_COOKIE_MAX_AGE_SECONDS };
  const windowMs = settings.editWindowMinutes * 60_000;
  if (author || windowMs === 0) return { comment: shown, commenter };
  return {
    comment: shown,
    commenter,
    editGrants: { value: await grantEdit(editCookie, comment.id, now + windowMs, now), maxAgeSeconds: windowMs / 1000 },
  };
}

/**
 * A reader's edit of their own comment, sent from `reader` (their address, see CommentContext). It is
 * moderated again under the policy in force (see decideEditStatus): held when every comment is held,
 * and re-checked for links and the blocklist.
 */
export async function editOwnComment(id: number, body: string, reader: string): Promise<AdminComment> {
  const { html, visible } = await renderComment(body, reader);
  const settings = await getCommentSettings();
  return writeComment(id, (current, now) => {
    const verdict = decideEditStatus(current.status, { ...current, visible }, settings);
    // A comment the edit holds says why; one that keeps its status keeps its reason.
    const moderationReason = verdict.status === current.status ? current.moderationReason : verdict.reason;
    return { body, html, status: verdict.status, moderationReason, ...textEdit(current, body, now) };
  });
}

/**
 * Readers may change only their own comments (named in their signed edit cookie), and only
 * within the edit window after posting.
 */
export async function assertReaderMayChange(id: number, editCookie: string | undefined, now = Date.now()): Promise<void> {
  if (!(await editableIds(editCookie, now)).includes(id)) {
    throw new AppError('unauthorized', 'Only the author of the blog, or the reader who wrote this comment shortly before, can change it.');
  }
  const [comment, settings] = await Promise.all([getAdminComment(id), getCommentSettings()]);
  if (!comment) throw notFound('Comment');
  if (!isWithinEditWindow(comment, settings, now)) throw new AppError('forbidden', 'The time to change this comment has passed.');
}
