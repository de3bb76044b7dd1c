import { and, asc, eq, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { type Comment, type CommentStatus, comments } from '@/db/schema';
import { fieldError, notFound } from '@/lib/errors';
import { renderCommentMarkdown } from '@/lib/markdown';
import { type ListQuery, type Page, decodeCursor, toPage } from '@/lib/pagination';
import { WRITE, getPublishedPostId } from '@/lib/posts';
import type { CommentCreateInput } from '@/lib/schemas';

/** What anyone may see of a comment: never the email, never the Markdown source. */
export interface PublicComment {
  id: number;
  parentId: number | null;
  authorName: string;
  html: string;
  createdAt: string;
}

export interface CommentNode extends PublicComment {
  replies: CommentNode[];
}

const publicColumns = {
  id: comments.id,
  parentId: comments.parentId,
  authorName: comments.authorName,
  html: comments.html,
  createdAt: comments.createdAt,
};

const approvedOf = (postId: number) => and(eq(comments.postId, postId), eq(comments.status, 'approved'));

/** Approved comments of a published post, oldest first (index: post_id, status, created_at, id). */
export function listApprovedComments(slug: string, { limit, cursor }: ListQuery): Page<PublicComment> {
  const postId = getPublishedPostId(slug);
  if (postId === undefined) throw notFound('Post');
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = getDb()
    .select(publicColumns)
    .from(comments)
    .where(and(approvedOf(postId), after && sql`(${comments.createdAt}, ${comments.id}) > (${after.time}, ${after.id})`))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(limit + 1)
    .all();
  return toPage(rows, limit, (comment) => ({ time: comment.createdAt, id: comment.id }));
}

/**
 * All approved comments of a post as a tree, in one query. A reply whose parent is not
 * approved (held or removed) is shown at the top level rather than hidden.
 */
export function getCommentTree(postId: number): CommentNode[] {
  const rows = getDb()
    .select(publicColumns)
    .from(comments)
    .where(approvedOf(postId))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .all();
  const nodes = new Map(rows.map((row) => [row.id, { ...row, replies: [] as CommentNode[] }]));
  const roots: CommentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    (parent ? parent.replies : roots).push(node);
  }
  return roots;
}

export function getApprovedComment(id: number): PublicComment | undefined {
  return getDb()
    .select(publicColumns)
    .from(comments)
    .where(and(eq(comments.id, id), eq(comments.status, 'approved')))
    .get();
}

export type CreatedComment = PublicComment & { status: CommentStatus };

export function createComment(slug: string, input: CommentCreateInput): CreatedComment {
  const html = renderCommentMarkdown(input.body);
  return getDb().transaction((tx) => {
    const postId = getPublishedPostId(slug);
    if (postId === undefined) throw notFound('Post');
    if (input.parentId !== undefined) {
      const parent: Pick<Comment, 'postId' | 'status'> | undefined = tx
        .select({ postId: comments.postId, status: comments.status })
        .from(comments)
        .where(eq(comments.id, input.parentId))
        .get();
      if (!parent || parent.status !== 'approved') {
        throw fieldError('parentId', 'The comment you are replying to does not exist.');
      }
      if (parent.postId !== postId) {
        throw fieldError('parentId', 'A reply must belong to the same post as the comment it answers.');
      }
    }
    const created = tx
      .insert(comments)
      .values({
        postId,
        parentId: input.parentId ?? null,
        authorName: input.authorName,
        authorEmail: input.authorEmail ?? null,
        body: input.body,
        html,
        status: 'approved',
      })
      .returning({ ...publicColumns, status: comments.status })
      .get();
    return created;
  }, WRITE);
}
