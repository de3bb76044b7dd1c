import { type Placeholder, type SQL, type SQLWrapper, and, asc, count, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { getDb, preparedQuery, queryRows, transaction } from '@/db';
import { type CommentStatus, comments, posts } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { AppError, fieldError, notFound } from '@/lib/errors';
import type { LimitAddress } from '@/lib/http/client-address';
import { renderComment, renderCommentMarkdown, truncateText } from '@/lib/render/markdown';
import {
  COMMENTER_COOKIE_MAX_AGE_SECONDS,
  type SubmissionSignals,
  commenterKey,
  decideCommentStatus,
  decideEditStatus,
  editableIds,
  grantEdit,
  issueCommenterId,
  readCommenterId,
  readFormAge,
} from '@/lib/comments/moderation';
import { hit, tooManyRequests } from '@/lib/rate-limit';
import { type ListQuery, type Page, decodeCursor, toPage } from '@/lib/pagination';
import { getLivePostForComments } from '@/lib/content/posts';
import type {
  AdminComment,
  BulkResult,
  CommentCreateInput,
  CommentNode,
  CommentUpdateInput,
  CreatedComment,
  ModerationAction,
  ModerationComment,
  ModerationQuery,
  PublicComment,
  SiteSettings,
  StatusChange,
} from '@/lib/comments/schemas';
import { getSettings } from '@/lib/comments/settings';
import { absoluteUrl, commentAnchor, postPath } from '@/lib/site/paths';
import type { AuthUser } from '@/lib/auth/schemas';

const publicColumns = {
  id: comments.id,
  parentId: comments.parentId,
  authorName: comments.authorName,
  byAuthor: sql<boolean>`${comments.authorUserId} IS NOT NULL`.mapWith(Boolean),
  html: comments.html,
  createdAt: comments.createdAt,
};

/**
 * After comments change: their posts' pages and comment lists, and the comments themselves. Post
 * lists show comment counts too, but are left to refresh within CACHE_SECONDS: expiring them on every
 * comment would re-render the home page many times a second while a post draws a crowd.
 */
function expireComments(postSlugs: Iterable<string>, ids: number[]): void {
  expire(...[...postSlugs].map(cacheTags.post), ...ids.map(cacheTags.comment));
}

const approvedOf = (postId: number | Placeholder) => and(eq(comments.postId, postId), eq(comments.status, 'approved'));

async function requireLivePost(slug: string) {
  const post = await getLivePostForComments(slug);
  if (!post) throw notFound('Post');
  return post;
}

/** Approved comments of a live post, oldest first (index: post_id, status, created_at, id). */
export async function listApprovedComments(slug: string, { limit, cursor }: ListQuery): Promise<Page<PublicComment>> {
  const { id: postId } = await requireLivePost(slug);
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = await getDb()
    .select(publicColumns)
    .from(comments)
    .where(and(approvedOf(postId), after && sql`(${comments.createdAt}, ${comments.id}) > (${after.time}, ${after.id})`))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(limit + 1);
  return toPage(rows, limit, (comment) => ({ time: comment.createdAt, id: comment.id }));
}

/**
 * All approved comments of a post as a tree, in one query. A reply whose parent is not approved
 * (the author unapproved it later) is not shown, with its replies, until the parent is: an answer
 * without what it answers reads as nonsense. A deleted comment's replies move up to its parent
 * (deleteComments), so a parent that is not in the list is one that is held or spam.
 */
const approvedComments = preparedQuery((db) =>
  db
    .select(publicColumns)
    .from(comments)
    .where(approvedOf(sql.placeholder('postId')))
    .orderBy(asc(comments.createdAt), asc(comments.id)),
);

export async function getCommentTree(postId: number): Promise<CommentNode[]> {
  const rows = await approvedComments({ postId });
  const nodes = new Map(rows.map((row) => [row.id, { ...row, replies: [] as CommentNode[] }]));
  const roots: CommentNode[] = [];
  for (const node of nodes.values()) {
    if (node.parentId === null) roots.push(node);
    else nodes.get(node.parentId)?.replies.push(node);
  }
  return roots;
}

export async function getApprovedComment(id: number): Promise<PublicComment | undefined> {
  const [comment] = await getDb()
    .select(publicColumns)
    .from(comments)
    .where(and(eq(comments.id, id), eq(comments.status, 'approved')))
    .limit(1);
  return comment;
}

/** A new comment as stored: the API tells its writer of a spam one as pending (see submitComment). */
export type StoredComment = Omit<CreatedComment, 'status'> & { status: CommentStatus };

export interface CommentContext {
  /** Set when the blog's author writes while signed in: published at once, marked as the author's. */
  author?: AuthUser;
  signals?: SubmissionSignals;
  /** Who the reader is across comments (see lib/comments/moderation.ts), when their browser keeps cookies. */
  commenterKey?: string;
  /** The site's settings, when the caller has read them already (one read per request). */
  settings?: SiteSettings;
  /** A reader's address (their rate limit's key): their comment is rendered in the readers' lane, at their turn. */
  reader?: string;
}

const isOpen = (post: { commentsEnabled: boolean }, settings: SiteSettings) => post.commentsEnabled && settings.commentsEnabled;

export async function commentsAreOpen(post: { commentsEnabled: boolean }): Promise<boolean> {
  return isOpen(post, await getSettings());
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
  const settings = context.settings ?? (await getSettings());
  let approvedParent = false;
  const created = await transaction(async () => {
    const post = await requireLivePost(slug);
    if (!context.author && !isOpen(post, settings)) throw new AppError('forbidden', 'Comments are closed on this post.');
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
export async function checkCommentRate(address: LimitAddress, settings?: SiteSettings): Promise<void> {
  const limit = (settings ?? (await getSettings())).commentRateLimit;
  const state = await hit(`comment:${address}`, limit);
  if (state.count > limit.max) throw tooManyRequests(state.retryAfter, 'You are posting comments too quickly.');
}

/** Readers' edits of their own comments are limited the same way, counted apart from new comments. */
export async function checkCommentEditRate(address: LimitAddress): Promise<void> {
  const limit = (await getSettings()).commentRateLimit;
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
  }: { author?: AuthUser; editCookie?: string; commenterCookie?: string; settings?: SiteSettings; reader?: string; now?: number },
): Promise<SubmittedComment> {
  settings ??= await getSettings();
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

/* Moderation and authors' own edits. */

const adminColumns = {
  ...publicColumns,
  postId: comments.postId,
  postSlug: posts.slug,
  postTitle: posts.title,
  authorEmail: comments.authorEmail,
  body: comments.body,
  status: comments.status,
  updatedAt: comments.updatedAt,
  editedAt: comments.editedAt,
  moderationReason: comments.moderationReason,
};

const parents = alias(comments, 'parent');

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntity(reference: string, hex?: string, dec?: string, name?: string): string {
  if (name) return NAMED_ENTITIES[name.toLowerCase()]!;
  const code = hex ? parseInt(hex, 16) : Number(dec);
  return code <= 0x10ffff ? String.fromCodePoint(code) : reference;
}

/** The comment HTML's text, for a one-line excerpt: comments are sanitised to a few tags, so stripping them is safe. */
function excerptOf(html: string, maxLength = 120): string {
  const text = html
    .replace(/<\/?(?:p|br|pre|blockquote|ul|ol|li)\b[^>]*>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:#x([\da-f]+)|#(\d+)|(amp|lt|gt|quot|apos|nbsp));/gi, decodeEntity)
    .replace(/\s+/g, ' ')
    .trim();
  return truncateText(text, maxLength);
}

/** The post a filter names, by slug; an unknown one is an error rather than an empty queue. */
async function postIdOf(slug: string): Promise<number> {
  const [post] = await getDb().select({ id: posts.id }).from(posts).where(eq(posts.slug, slug)).limit(1);
  if (!post) throw notFound('Post');
  return post.id;
}

/**
 * The text search: a substring of the body, the name or the email, case-insensitive (for ASCII on
 * SQLite, whose lower() knows no other letters). LIKE rather than a full-text index: it runs inside
 * one status (and post) through their index, stops at a page of matches, and finds what full-text
 * tokens would not (part of an address or a word). Both sides lower-cased: PostgreSQL's LIKE is
 * case-sensitive.
 */
function commentContains(q: string): SQL {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const match = (column: SQLWrapper) => sql`lower(${column}) LIKE lower(${pattern}) ESCAPE '\\'`;
  return or(match(comments.body), match(comments.authorName), match(comments.authorEmail))!;
}

/**
 * The moderation queue: comments of one status, newest first, of one post and matching `q` if given
 * (index: status, created_at, id; or post_id, status, created_at, id), each with the comment it answers.
 */
export async function listCommentsForModeration({ status, limit, cursor, post, q }: ModerationQuery): Promise<Page<ModerationComment>> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const postId = post ? await postIdOf(post) : undefined;
  const search = q?.trim();
  const rows = await getDb()
    .select({ ...adminColumns, parentAuthorName: parents.authorName, parentHtml: parents.html, parentStatus: parents.status })
    .from(comments)
    .innerJoin(posts, eq(posts.id, comments.postId))
    .leftJoin(parents, eq(parents.id, comments.parentId))
    .where(
      and(
        eq(comments.status, status),
        postId === undefined ? undefined : eq(comments.postId, postId),
        search ? commentContains(search) : undefined,
        after && sql`(${comments.createdAt}, ${comments.id}) < (${after.time}, ${after.id})`,
      ),
    )
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(limit + 1);
  const data = rows.map(({ parentAuthorName, parentHtml, parentStatus, ...comment }): ModerationComment => {
    const anchor =
      comment.status === 'approved'
        ? commentAnchor(comment.id)
        : comment.parentId !== null && parentStatus === 'approved'
          ? commentAnchor(comment.parentId)
          : 'comments';
    return {
      ...comment,
      inReplyTo:
        comment.parentId !== null && parentAuthorName !== null && parentHtml !== null
          ? { id: comment.parentId, authorName: parentAuthorName, excerpt: excerptOf(parentHtml) }
          : null,
      contextUrl: absoluteUrl(`${postPath(comment.postSlug)}#${anchor}`),
    };
  });
  return toPage(data, limit, (comment) => ({ time: comment.createdAt, id: comment.id }));
}

/** Comments of each status, of one post if given (index: status, or post_id and status). */
export async function countCommentsByStatus(post?: string): Promise<Record<CommentStatus, number>> {
  const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0 };
  const postId = post ? await postIdOf(post) : undefined;
  const rows = await getDb()
    .select({ status: comments.status, n: count() })
    .from(comments)
    .where(postId === undefined ? undefined : eq(comments.postId, postId))
    .groupBy(comments.status);
  for (const { status, n } of rows) counts[status] = n;
  return counts;
}

/**
 * The posts the queue can be filtered by: those with comments, the most recently edited `limit` of them
 * (index: updated_at, id; each checked through comments' post_id index), by title.
 */
export async function listPostsWithComments(limit = 200): Promise<{ slug: string; title: string }[]> {
  const rows = await getDb()
    .select({ slug: posts.slug, title: posts.title })
    .from(posts)
    .where(sql`EXISTS (SELECT 1 FROM ${comments} WHERE ${comments.postId} = ${posts.id})`)
    .orderBy(desc(posts.updatedAt), desc(posts.id))
    .limit(limit);
  return rows.sort((a, b) => a.title.localeCompare(b.title, 'en'));
}

export async function getAdminComment(id: number): Promise<AdminComment | undefined> {
  const [comment] = await getDb()
    .select(adminColumns)
    .from(comments)
    .innerJoin(posts, eq(posts.id, comments.postId))
    .where(eq(comments.id, id))
    .limit(1);
  return comment;
}

/** The author's change (status and/or text) or a reader's edit of their own text. */
export async function updateComment(id: number, patch: CommentUpdateInput): Promise<AdminComment> {
  const html = patch.body === undefined ? undefined : await renderCommentMarkdown(patch.body);
  return writeComment(id, (current, now) => ({ ...patch, ...(html === undefined ? {} : { html }), ...textEdit(current, patch.body, now) }));
}

/** Marks the comment as edited when its text really changes; saving the same text, or only a status, is no edit. */
const textEdit = (current: AdminComment, body: string | undefined, now: string) =>
  body !== undefined && body !== current.body ? { editedAt: now } : {};

/**
 * Applies the change `decide` makes from the comment as it is inside the write transaction, so a
 * decision based on its status cannot be undone by a moderation that landed in between. The row is
 * written first (its new updatedAt) to lock it: on PostgreSQL another change waits until this one
 * commits, then reads what it wrote.
 */
async function writeComment(
  id: number,
  decide: (current: AdminComment, now: string) => Partial<typeof comments.$inferInsert>,
): Promise<AdminComment> {
  const updated = await transaction(async (tx) => {
    const now = new Date().toISOString();
    const locked = await tx.update(comments).set({ updatedAt: now }).where(eq(comments.id, id)).returning({ id: comments.id });
    const current = locked.length > 0 ? await getAdminComment(id) : undefined;
    if (!current) throw notFound('Comment');
    await tx
      .update(comments)
      .set({ ...decide(current, now), updatedAt: now })
      .where(eq(comments.id, id));
    return (await getAdminComment(id))!;
  });
  expireComments([updated.postSlug], [id]);
  return updated;
}

/** Deletes comments; their replies move up to the deleted comment's parent instead of vanishing with it. */
export async function deleteComments(ids: number[]): Promise<number> {
  const postSlugs = new Set<string>();
  const deleted = await transaction(async (tx) => {
    let deleted = 0;
    for (const id of ids) {
      const [target] = await tx
        .select({ parentId: comments.parentId, postSlug: posts.slug })
        .from(comments)
        .innerJoin(posts, eq(posts.id, comments.postId))
        .where(eq(comments.id, id))
        .limit(1);
      if (!target) continue;
      postSlugs.add(target.postSlug);
      await tx.update(comments).set({ parentId: target.parentId }).where(eq(comments.parentId, id));
      deleted += (await tx.delete(comments).where(eq(comments.id, id)).returning({ id: comments.id })).length;
    }
    return deleted;
  });
  expireComments(postSlugs, ids);
  return deleted;
}

/** Sets the status of the comments that exist among `ids`; answers each one with its status before. */
export async function setCommentsStatus(ids: number[], status: CommentStatus): Promise<StatusChange[]> {
  const before = await transaction(async (tx) => {
    const rows = await tx
      .select({ id: comments.id, status: comments.status, postSlug: posts.slug })
      .from(comments)
      .innerJoin(posts, eq(posts.id, comments.postId))
      .where(inArray(comments.id, ids))
      .orderBy(asc(comments.id));
    const found = rows.map((row) => row.id);
    if (found.length > 0) await tx.update(comments).set({ status, updatedAt: new Date().toISOString() }).where(inArray(comments.id, found));
    return rows;
  });
  if (before.length > 0) {
    expireComments(
      new Set(before.map((row) => row.postSlug)),
      before.map((row) => row.id),
    );
  }
  return before.map(({ id, status }) => ({ id, status }));
}

/**
 * A reader's edit of their own comment, sent from `reader` (their address, see CommentContext). It is
 * moderated again under the policy in force (see decideEditStatus): held when every comment is held,
 * and re-checked for links and the blocklist.
 */
export async function editOwnComment(id: number, body: string, reader: string): Promise<AdminComment> {
  const { html, visible } = await renderComment(body, reader);
  const settings = await getSettings();
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
  const [comment, settings] = await Promise.all([getAdminComment(id), getSettings()]);
  if (!comment) throw notFound('Comment');
  if (!isWithinEditWindow(comment, settings, now)) throw new AppError('forbidden', 'The time to change this comment has passed.');
}

/** For a status change, each comment with the status it had, so it can be undone; empty for a delete, which cannot. */
export type ModerationResult = Omit<BulkResult, 'action'>;

/** One action on many comments, all or nothing. Answers what it changed. */
export async function moderateComments(action: ModerationAction, ids: number[]): Promise<ModerationResult> {
  if (action === 'delete') return { changed: await deleteComments(ids), previous: [] };
  const previous = await setCommentsStatus(ids, action === 'approve' ? 'approved' : action);
  return { changed: previous.length, previous };
}

/** Whether a reader's comment is still inside the window in which they may change it. */
export function isWithinEditWindow(
  comment: { createdAt: string },
  settings: Pick<SiteSettings, 'editWindowMinutes'>,
  now = Date.now(),
): boolean {
  return now < Date.parse(comment.createdAt) + settings.editWindowMinutes * 60_000;
}

/** More held comments than a reader could have written by hand; a bot keeping its cookie gets no more. */
const MAX_OWN_HELD = 50;

/**
 * A reader's own comments on a post that wait for moderation, known by their commenter cookie: post
 * pages are cached and the same for everyone, so only this list shows the writer what they sent
 * (index: commenter_key, status). A reply whose parent is not shown goes to the top, as in
 * getCommentTree; one filed as spam reads as pending, as it did when it was sent.
 */
export async function listOwnHeldComments(slug: string, commenterCookie: string | undefined): Promise<CreatedComment[]> {
  const { id: postId } = await requireLivePost(slug);
  const commenterId = await readCommenterId(commenterCookie);
  if (!commenterId) return [];
  const rows = await getDb()
    .select({ ...publicColumns, parentStatus: parents.status })
    .from(comments)
    .leftJoin(parents, eq(parents.id, comments.parentId))
    .where(
      and(eq(comments.commenterKey, commenterKey(commenterId)), inArray(comments.status, ['pending', 'spam']), eq(comments.postId, postId)),
    )
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(MAX_OWN_HELD);
  return rows.map(({ parentStatus, ...comment }) => ({
    ...comment,
    parentId: parentStatus === 'approved' ? comment.parentId : null,
    status: 'pending' as const,
  }));
}

/** Markdown source of a reader's own comments, for the edit box on the post page. */
export async function getOwnCommentSources(ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const [rows, settings] = await Promise.all([
    getDb().select({ id: comments.id, body: comments.body, createdAt: comments.createdAt }).from(comments).where(inArray(comments.id, ids)),
    getSettings(),
  ]);
  return new Map(rows.filter((row) => isWithinEditWindow(row, settings)).map((row) => [row.id, row.body]));
}
