import { type Placeholder, and, asc, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { getDb, preparedQuery } from '@/db';
import { comments, posts } from '@/db/schema';
import { notFound } from '@/lib/errors';
import { type ListQuery, type Page, decodeCursor, toPage } from '@/lib/pagination';
import { getLivePostForComments } from '@/lib/content/posts';
import type { AdminComment, CommentNode, CommentSettings, CreatedComment, PublicComment } from '@/lib/comments/schemas';
import { commenterKey, readCommenterId } from '@/lib/comments/reader-cookies';
import { getCommentSettings } from '@/lib/comments/settings';

/*
 * Reading comments: a post's thread and lists for readers, a reader's own held comments and edit
 * sources, and a comment as the author sees it. Writes are in submission.ts and moderation-queue.ts.
 */

/** What readers see of a comment. */
export const publicColumns = {
  id: comments.id,
  parentId: comments.parentId,
  authorName: comments.authorName,
  byAuthor: sql<boolean>`${comments.authorUserId} IS NOT NULL`.mapWith(Boolean),
  html: comments.html,
  createdAt: comments.createdAt,
};

/** What the author sees of a comment, with its post. */
export const adminColumns = {
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

/** The comment a reply answers, joined beside it. */
export const parentComments = alias(comments, 'parent');

const approvedOf = (postId: number | Placeholder) => and(eq(comments.postId, postId), eq(comments.status, 'approved'));

/** The live post a reader's list or comment is for; any other is not found. */
export async function requireLivePost(slug: string) {
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

export async function getAdminComment(id: number): Promise<AdminComment | undefined> {
  const [comment] = await getDb()
    .select(adminColumns)
    .from(comments)
    .innerJoin(posts, eq(posts.id, comments.postId))
    .where(eq(comments.id, id))
    .limit(1);
  return comment;
}

/** Whether readers may comment on the post under these settings. */
export const commentsAllowed = (post: { commentsEnabled: boolean }, settings: CommentSettings) =>
  post.commentsEnabled && settings.commentsEnabled;

export async function commentsAreOpen(post: { commentsEnabled: boolean }): Promise<boolean> {
  return commentsAllowed(post, await getCommentSettings());
}

/** Whether a reader's comment is still inside the window in which they may change it. */
export function isWithinEditWindow(
  comment: { createdAt: string },
  settings: Pick<CommentSettings, 'editWindowMinutes'>,
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
    .select({ ...publicColumns, parentStatus: parentComments.status })
    .from(comments)
    .leftJoin(parentComments, eq(parentComments.id, comments.parentId))
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
    getCommentSettings(),
  ]);
  return new Map(rows.filter((row) => isWithinEditWindow(row, settings)).map((row) => [row.id, row.body]));
}
