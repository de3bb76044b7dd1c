import { type SQL, type SQLWrapper, and, asc, count, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { type CommentStatus, comments, posts } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { notFound } from '@/lib/errors';
import { renderCommentMarkdown, truncateText } from '@/lib/render/markdown';
import { type Page, decodeCursor, toPage } from '@/lib/pagination';
import type {
  AdminComment,
  BulkResult,
  CommentUpdateInput,
  ModerationAction,
  ModerationComment,
  ModerationQuery,
  StatusChange,
} from '@/lib/comments/schemas';
import { adminColumns, getAdminComment, parentComments } from '@/lib/comments/reads';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { commentAnchor, postPath } from '@/lib/site/paths';

/*
 * The author's moderation queue: comments by status, post and text, their counts, and what the
 * author does to them (edit, approve, mark as spam, delete). A reader's edit of their own comment
 * (submission.ts) goes through writeComment here too, so it cannot undo a moderation made meanwhile.
 */

/**
 * After comments change: their posts' pages and comment lists, and the comments themselves. Post
 * lists show comment counts too, but are left to refresh within CACHE_SECONDS: expiring them on every
 * comment would re-render the home page many times a second while a post draws a crowd.
 */
export function expireComments(postSlugs: Iterable<string>, ids: number[]): void {
  expire(...[...postSlugs].map(cacheTags.post), ...ids.map(cacheTags.comment));
}

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
    .select({
      ...adminColumns,
      parentAuthorName: parentComments.authorName,
      parentHtml: parentComments.html,
      parentStatus: parentComments.status,
    })
    .from(comments)
    .innerJoin(posts, eq(posts.id, comments.postId))
    .leftJoin(parentComments, eq(parentComments.id, comments.parentId))
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

/** The author's change (status and/or text) or a reader's edit of their own text. */
export async function updateComment(id: number, patch: CommentUpdateInput): Promise<AdminComment> {
  const html = patch.body === undefined ? undefined : await renderCommentMarkdown(patch.body);
  return writeComment(id, (current, now) => ({ ...patch, ...(html === undefined ? {} : { html }), ...textEdit(current, patch.body, now) }));
}

/** Marks the comment as edited when its text really changes; saving the same text, or only a status, is no edit. */
export const textEdit = (current: AdminComment, body: string | undefined, now: string) =>
  body !== undefined && body !== current.body ? { editedAt: now } : {};

/**
 * Applies the change `decide` makes from the comment as it is inside the write transaction, so a
 * decision based on its status cannot be undone by a moderation that landed in between. The row is
 * written first (its new updatedAt) to lock it: on PostgreSQL another change waits until this one
 * commits, then reads what it wrote.
 */
export async function writeComment(
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

/** For a status change, each comment with the status it had, so it can be undone; empty for a delete, which cannot. */
export type ModerationResult = Omit<BulkResult, 'action'>;

/** One action on many comments, all or nothing. Answers what it changed. */
export async function moderateComments(action: ModerationAction, ids: number[]): Promise<ModerationResult> {
  if (action === 'delete') return { changed: await deleteComments(ids), previous: [] };
  const previous = await setCommentsStatus(ids, action === 'approve' ? 'approved' : action);
  return { changed: previous.length, previous };
}
