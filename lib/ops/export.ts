import { asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type DB, getDialect, openDatabase, queryRows, transaction } from '@/db';
import { getDatabasePath } from '@/db/config';
import { COMMENT_STATUSES, comments, posts, users } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { getEnv } from '@/lib/env';
import { getSiteIdentity } from '@/lib/site/identity';
import { AppError } from '@/lib/errors';
import { renderCommentMarkdown, renderPost } from '@/lib/render/markdown';
import { authorStatus, countWords, loadTags, setPostTags } from '@/lib/content/posts';
import { postStatusSchema, slugSchema } from '@/lib/content/schemas';
import { indexPost } from '@/lib/content/search';

/*
 * The whole blog as one JSON document, so an author can leave with their data or move in from
 * elsewhere. It holds what the author wrote and what readers sent: Markdown sources, dates,
 * statuses, tags, and comments with their replies and commenters' emails (this is the author's
 * private copy). HTML, word counts and comment counts are derived and left out; an import derives
 * them again with the same code as the editor. Accounts, sessions, tokens and settings stay behind.
 */

export const EXPORT_FORMAT = 'quire-export';
export const EXPORT_VERSION = 1;

const isoTime = (field: string) =>
  z.iso
    .datetime({ offset: true, error: `${field} must be an ISO 8601 date-time such as 2026-11-22T09:30:00.000Z.` })
    .transform((value) => new Date(value).toISOString());

const textOf = (field: string, { required = true } = {}) =>
  z.string({ error: `${field} must be text.` }).min(required ? 1 : 0, `${field} cannot be empty.`);

const commentSchema = z.strictObject({
  /** Numbers the comment within the file (not a database id); replies name it in `parentId`. */
  id: z.number({ error: 'id must be a number.' }).int('id must be a whole number.').positive('id must be positive.'),
  parentId: z.number({ error: 'parentId must be the id of a comment or null.' }).int().positive().nullable().default(null),
  authorName: textOf('authorName'),
  authorEmail: z.string({ error: 'authorEmail must be text or null.' }).max(254).toLowerCase().nullable().default(null),
  /** Written by the blog's author while signed in (shown as "Author"). */
  byAuthor: z.boolean({ error: 'byAuthor must be true or false.' }).default(false),
  status: z.enum(COMMENT_STATUSES, { error: 'status must be "approved", "pending" or "spam".' }).default('approved'),
  createdAt: isoTime('createdAt'),
  updatedAt: isoTime('updatedAt').nullable().default(null),
  /** When the text last changed after it was posted (by its writer or the blog's author). */
  editedAt: isoTime('editedAt').nullable().default(null),
  body: textOf('body'),
});

const postSchema = z
  .strictObject({
    slug: slugSchema,
    title: textOf('title'),
    summary: textOf('summary', { required: false }).default(''),
    status: postStatusSchema,
    publishedAt: isoTime('publishedAt').nullable().default(null),
    createdAt: isoTime('createdAt'),
    updatedAt: isoTime('updatedAt'),
    commentsEnabled: z.boolean({ error: 'commentsEnabled must be true or false.' }).default(true),
    tags: z
      .array(z.strictObject({ slug: slugSchema, name: textOf('name') }), { error: 'tags must be a list of { slug, name }.' })
      .default([]),
    body: textOf('body', { required: false }),
    comments: z.array(commentSchema, { error: 'comments must be a list.' }).default([]),
  })
  .refine((post) => post.status === 'draft' || post.publishedAt !== null, {
    path: ['publishedAt'],
    error: 'A published or scheduled post needs publishedAt.',
  });

export type ExportedComment = z.output<typeof commentSchema>;
export type ExportedPost = z.output<typeof postSchema>;

export interface ExportSite {
  name: string;
  url: string;
  description: string;
  author?: string;
}

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** Where the posts came from; for people reading the file, an import ignores it. */
  site: ExportSite;
  posts: ExportedPost[];
}

/** Slugs unique in the file; replies point at a comment of the same post; no comment is its own ancestor. */
function checkReferences(doc: { posts: ExportedPost[] }, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const slugs = new Map<string, number>();
  const owner = new Map<number, number>();
  doc.posts.forEach((post, p) => {
    const other = slugs.get(post.slug);
    if (other === undefined) slugs.set(post.slug, p);
    else issue(['posts', p, 'slug'], `The slug "${post.slug}" is used by posts[${other}] too.`);
    post.comments.forEach((comment, c) => {
      if (owner.has(comment.id))
        issue(['posts', p, 'comments', c, 'id'], `Another comment has the id ${comment.id} too; ids must be unique in the file.`);
      else owner.set(comment.id, p);
    });
  });
  doc.posts.forEach((post, p) => {
    const parents = new Map(post.comments.map((comment) => [comment.id, comment.parentId]));
    const settled = new Set<number>();
    post.comments.forEach((comment, c) => {
      const at = ['posts', p, 'comments', c, 'parentId'];
      if (comment.parentId === null) return;
      if (!owner.has(comment.parentId)) return issue(at, `No comment has the id ${comment.parentId}.`);
      if (owner.get(comment.parentId) !== p)
        return issue(at, `Comment ${comment.parentId} is on another post; a reply must be on the same post.`);
      // Walk up to a top-level comment; meeting a comment of this walk again means a loop.
      const seen = new Set<number>();
      for (let id: number | null | undefined = comment.id; id != null && !settled.has(id); id = parents.get(id)) {
        if (seen.has(id)) return issue(at, `Comment ${comment.id} is, through its parents, a reply to itself.`);
        seen.add(id);
      }
      for (const id of seen) settled.add(id);
    });
  });
}

const documentSchema = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT, { error: `format must be "${EXPORT_FORMAT}": this does not look like a Quire export.` }),
    version: z.literal(EXPORT_VERSION, { error: `version must be ${EXPORT_VERSION}: the file comes from another version of Quire.` }),
    exportedAt: isoTime('exportedAt').optional(),
    site: z.unknown().optional(),
    posts: z.array(postSchema, { error: 'posts must be a list.' }),
  })
  .superRefine(checkReferences);

/** `['posts', 3, 'comments', 0, 'body']` as people write it: `posts[3].comments[0].body`. */
export const formatPath = (path: readonly PropertyKey[]) =>
  path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('') || '(the document)';

/** Checks a parsed JSON value against the export format; every problem is reported with its path. */
export function parseExport(input: unknown): z.output<typeof documentSchema> {
  const result = documentSchema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message }));
  throw new AppError('validation', `This is not a valid Quire export (${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}).`, {
    errors,
  });
}

/* Export. */

/** Posts are read in pages of this many: memory stays flat for any size of blog. */
const BATCH = 500;

export interface ExportSummary {
  posts: number;
  comments: number;
}

async function exportHeader(): Promise<Omit<ExportDocument, 'posts'>> {
  const { name, description, authorName } = await getSiteIdentity();
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    site: { name, url: getEnv().SITE_URL, description, author: authorName },
  };
}

const commentColumns = {
  id: comments.id,
  postId: comments.postId,
  parentId: comments.parentId,
  authorName: comments.authorName,
  authorEmail: comments.authorEmail,
  byAuthor: sql<boolean>`${comments.authorUserId} IS NOT NULL`.mapWith(Boolean),
  status: comments.status,
  createdAt: comments.createdAt,
  updatedAt: comments.updatedAt,
  editedAt: comments.editedAt,
  body: comments.body,
};

/**
 * Runs `read` on one snapshot of the database, which no write changes meanwhile and which holds up
 * no writer. transaction() would take SQLite's write lock for the whole export: there it is a read
 * transaction on a connection of its own (a WAL reader), on PostgreSQL a repeatable-read one.
 */
async function inSnapshot<T>(read: (db: DB) => Promise<T>): Promise<T> {
  if (getDialect() === 'postgres') {
    return transaction(async (tx) => {
      await queryRows(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
      return read(tx);
    });
  }
  const { db } = openDatabase(getDatabasePath());
  try {
    db.$client.exec('BEGIN');
    return await read(db as unknown as DB);
  } finally {
    db.$client.close();
  }
}

/**
 * Calls `visit` with every post, oldest first, from one snapshot: the export is one consistent
 * moment even while the server keeps writing.
 */
async function eachExportedPost(visit: (post: ExportedPost) => void): Promise<ExportSummary> {
  const now = new Date().toISOString();
  let nextCommentId = 1;
  const summary = { posts: 0, comments: 0 };
  await inSnapshot(async (db) => {
    for (let lastId = 0; ;) {
      const rows = await db.select().from(posts).where(gt(posts.id, lastId)).orderBy(asc(posts.id)).limit(BATCH);
      if (rows.length === 0) break;
      lastId = rows.at(-1)!.id;
      const ids = rows.map((row) => row.id);
      const tagsByPost = await loadTags(ids, db);
      const commentRows = await db
        .select(commentColumns)
        .from(comments)
        .where(inArray(comments.postId, ids))
        .orderBy(asc(comments.postId), asc(comments.id));
      const commentsByPost = new Map<number, typeof commentRows>();
      for (const comment of commentRows) {
        const list = commentsByPost.get(comment.postId);
        if (list) list.push(comment);
        else commentsByPost.set(comment.postId, [comment]);
      }
      for (const row of rows) {
        const postComments = commentsByPost.get(row.id) ?? [];
        // Ids in the file number the comments from 1; a parent on another post (only possible by
        // editing the database by hand) is dropped, as the post page shows such a reply at the top level.
        const fileIds = new Map(postComments.map((comment) => [comment.id, nextCommentId++]));
        visit({
          slug: row.slug,
          title: row.title,
          summary: row.summary,
          status: authorStatus(row, now),
          publishedAt: row.publishedAt,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          commentsEnabled: row.commentsEnabled,
          tags: tagsByPost.get(row.id) ?? [],
          body: row.body,
          comments: postComments.map((comment) => ({
            id: fileIds.get(comment.id)!,
            parentId: (comment.parentId !== null && fileIds.get(comment.parentId)) || null,
            authorName: comment.authorName,
            authorEmail: comment.authorEmail,
            byAuthor: comment.byAuthor,
            status: comment.status,
            createdAt: comment.createdAt,
            updatedAt: comment.updatedAt,
            editedAt: comment.editedAt,
            body: comment.body,
          })),
        });
        summary.posts++;
        summary.comments += postComments.length;
      }
    }
  });
  return summary;
}

/** The whole export as one object (tests, small blogs). */
export async function exportData(): Promise<ExportDocument> {
  const exported: ExportedPost[] = [];
  const header = await exportHeader();
  await eachExportedPost((post) => exported.push(post));
  return { ...header, posts: exported };
}

/**
 * Writes the export as JSON text in pieces, one post at a time, so a blog of any size streams to
 * a file or a pipe. The text is exactly `JSON.stringify(exportData(), null, 2)` plus a newline.
 */
export async function writeExport(write: (chunk: string) => void): Promise<ExportSummary> {
  const head = JSON.stringify({ ...(await exportHeader()), posts: [] }, null, 2);
  write(head.slice(0, head.lastIndexOf('[') + 1));
  let first = true;
  const summary = await eachExportedPost((post) => {
    write(`${first ? '' : ','}\n    ${JSON.stringify(post, null, 2).replaceAll('\n', '\n    ')}`);
    first = false;
  });
  write(first ? ']\n}\n' : '\n  ]\n}\n');
  return summary;
}

/* Import. */

export interface ImportResult {
  posts: number;
  comments: number;
  /** Posts that existed here with the same slug and were replaced (with `replace` only). */
  replaced: number;
  /** Comments by the blog's author for which this blog has no account with the same email: imported without the "Author" mark. */
  unlinkedAuthorComments: number;
}

const listed = (items: string[], max = 10) =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

/**
 * Adds every post and comment of an export, all or nothing, in one transaction. Slugs, dates,
 * statuses, tags and reply threads are kept; HTML is rendered and search-indexed as the editor
 * would. A slug that exists here stops the import, unless `replace` is set: then the existing
 * post (and its comments) is replaced by the one in the file. Comments by the blog's author keep
 * their mark when an account with the same email exists here.
 */
export async function importData(input: unknown, { replace = false }: { replace?: boolean } = {}): Promise<ImportResult> {
  const doc = parseExport(input);
  // Rendering is the slow part; done first, the write lock is held only for the inserts.
  const rendered: { html: string; text: string; wordCount: number; comments: string[] }[] = [];
  for (const post of doc.posts) {
    const { html, text } = await renderPost(post.body);
    const comments: string[] = [];
    for (const comment of post.comments) comments.push(await renderCommentMarkdown(comment.body));
    rendered.push({ html, text, wordCount: countWords(text), comments });
  }

  const result = await transaction(async (tx) => {
    const taken = new Set((await tx.select({ slug: posts.slug }).from(posts)).map((row) => row.slug));
    const conflicts = doc.posts.flatMap((post, index) => (taken.has(post.slug) ? [{ slug: post.slug, index }] : []));
    if (conflicts.length > 0 && !replace) {
      const some = conflicts.length === 1 ? '1 post in the file already exists' : `${conflicts.length} posts in the file already exist`;
      throw new AppError('conflict', `${some} here: ${listed(conflicts.map((c) => c.slug))}.`, {
        errors: conflicts.map(({ slug, index }) => ({
          field: `posts[${index}].slug`,
          message: `A post with the slug "${slug}" already exists.`,
        })),
      });
    }
    for (const { slug } of conflicts) await tx.delete(posts).where(eq(posts.slug, slug));

    const accounts = new Map((await tx.select({ id: users.id, email: users.email }).from(users)).map((user) => [user.email, user.id]));
    let commentCount = 0;
    let unlinkedAuthorComments = 0;
    for (const [p, post] of doc.posts.entries()) {
      const { html, text, wordCount, comments: commentHtml } = rendered[p]!;
      const { tags: postTags, comments: postComments, status, ...fields } = post;
      const [inserted] = await tx
        .insert(posts)
        .values({ ...fields, status: status === 'draft' ? 'draft' : 'published', html, wordCount })
        .returning({ id: posts.id });
      const postId = inserted!.id;
      await setPostTags(tx, postId, postTags);

      // Parents first: a reply is inserted once the comment it answers has its new id.
      const newIds = new Map<number, number>();
      let waiting = postComments.map((comment, c) => ({ comment, html: commentHtml[c]! }));
      while (waiting.length > 0) {
        const later: typeof waiting = [];
        for (const item of waiting) {
          const { id, parentId, byAuthor, ...comment } = item.comment;
          if (parentId !== null && !newIds.has(parentId)) {
            later.push(item);
            continue;
          }
          const authorUserId = byAuthor ? (accounts.get(comment.authorEmail ?? '') ?? null) : null;
          if (byAuthor && authorUserId === null) unlinkedAuthorComments++;
          const [created] = await tx
            .insert(comments)
            .values({ ...comment, postId, parentId: parentId === null ? null : newIds.get(parentId)!, authorUserId, html: item.html })
            .returning({ id: comments.id });
          newIds.set(id, created!.id);
          commentCount++;
        }
        // parseExport rules out loops and foreign parents, so every round places at least one comment.
        if (later.length === waiting.length) throw new Error('Unreachable: comment parents form a loop.');
        waiting = later;
      }
      await indexPost(postId, text);
    }
    return { posts: doc.posts.length, comments: commentCount, replaced: conflicts.length, unlinkedAuthorComments };
  });
  expire(cacheTags.content);
  return result;
}
