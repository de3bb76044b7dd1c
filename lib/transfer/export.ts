import { asc, gt, inArray, sql } from 'drizzle-orm';
import { type DB, getDialect, openDatabase, queryRows, transaction } from '@/db';
import { getDatabasePath } from '@/db/config';
import { apiTokens, comments, posts, settings, siteAssets, tags, users } from '@/db/schema';
import { getEnv } from '@/lib/env';
import { getSiteIdentity } from '@/lib/site/identity';
import { authorStatus, loadTags } from '@/lib/content/posts';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportDocument,
  type ExportedPost,
  FULL_EXPORT_VERSION,
  type FullSections,
  type SectionCounts,
  sectionCounts,
} from '@/lib/transfer/format';

/*
 * Writes the export format (format.ts) from one snapshot of the database: as one object, or
 * streamed as JSON text one post at a time.
 */

/** Posts are read in pages of this many: memory stays flat for any size of blog. */
const BATCH = 500;

export interface ExportOptions {
  /** The whole blog with its ids, to move it to another database (see the top of format.ts). */
  full?: boolean;
}

export interface ExportSummary {
  posts: number;
  comments: number;
  /** A full export: how many rows of each of its sections. */
  full?: SectionCounts;
}

async function exportHeader(full: boolean): Promise<Omit<ExportDocument, 'posts' | keyof FullSections>> {
  const { name, description, authorName } = await getSiteIdentity();
  return {
    format: EXPORT_FORMAT,
    version: full ? FULL_EXPORT_VERSION : EXPORT_VERSION,
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
  authorUserId: comments.authorUserId,
  commenterKey: comments.commenterKey,
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

/** Every row of the tables a full export adds, in id (or key) order. Sessions stay behind. */
async function readFullSections(db: DB): Promise<FullSections> {
  const [userRows, tokenRows, settingRows, assetRows, tagRows] = [
    await db.select().from(users).orderBy(asc(users.id)),
    await db.select().from(apiTokens).orderBy(asc(apiTokens.id)),
    await db.select().from(settings).orderBy(asc(settings.key)),
    await db.select().from(siteAssets).orderBy(asc(siteAssets.name)),
    await db.select().from(tags).orderBy(asc(tags.id)),
  ];
  // Field by field, so the file reads the same whichever database wrote it.
  return {
    users: userRows.map(({ id, email, name, passwordHash, createdAt, updatedAt }) => ({
      id,
      email,
      name,
      passwordHash,
      createdAt,
      updatedAt,
    })),
    apiTokens: tokenRows.map(({ id, userId, name, tokenHash, prefix, createdAt, lastUsedAt, expiresAt }) => ({
      id,
      userId,
      name,
      tokenHash,
      prefix,
      createdAt,
      lastUsedAt,
      expiresAt,
    })),
    settings: settingRows.map(({ key, value, updatedAt }) => ({ key, value, updatedAt })),
    siteAssets: assetRows.map(({ name, contentType, data, hash, width, height, updatedAt }) => ({
      name,
      contentType,
      data: Buffer.from(data).toString('base64'),
      hash,
      width,
      height,
      updatedAt,
    })),
    tags: tagRows.map(({ id, slug, name }) => ({ id, slug, name })),
  };
}

/**
 * Reads the blog from one snapshot, so the export is one consistent moment even while the server
 * keeps writing: `begin` gets the document without its posts, then `visit` every post, oldest first.
 */
async function readExport(
  { full = false }: ExportOptions,
  begin: (head: Omit<ExportDocument, 'posts'>) => void,
  visit: (post: ExportedPost) => void,
): Promise<ExportSummary> {
  const now = new Date().toISOString();
  const header = await exportHeader(full);
  let nextCommentId = 1;
  const summary: ExportSummary = { posts: 0, comments: 0 };
  await inSnapshot(async (db) => {
    if (full) {
      const sections = await readFullSections(db);
      begin({ ...header, ...sections });
      summary.full = sectionCounts(sections);
    } else {
      begin(header);
    }
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
        // Ids in the file number the comments from 1, or are the database's in a full export; a parent
        // on another post (only possible by editing the database by hand) is dropped, as the post page
        // shows such a reply at the top level.
        const fileIds = new Map(postComments.map((comment) => [comment.id, full ? comment.id : nextCommentId++]));
        visit({
          ...(full ? { id: row.id } : {}),
          slug: row.slug,
          title: row.title,
          summary: row.summary,
          summaryAutomatic: row.summaryAutomatic,
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
            ...(full ? { authorUserId: comment.authorUserId, commenterKey: comment.commenterKey } : {}),
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
export async function exportData(options: ExportOptions = {}): Promise<ExportDocument> {
  const heads: Omit<ExportDocument, 'posts'>[] = [];
  const exported: ExportedPost[] = [];
  await readExport(
    options,
    (head) => heads.push(head),
    (post) => exported.push(post),
  );
  return { ...heads[0]!, posts: exported };
}

/**
 * Writes the export as JSON text in pieces, one post at a time, so a blog of any size streams to
 * a file or a pipe. The text is exactly `JSON.stringify(exportData(), null, 2)` plus a newline.
 */
export async function writeExport(write: (chunk: string) => void, options: ExportOptions = {}): Promise<ExportSummary> {
  let first = true;
  const summary = await readExport(
    options,
    (head) => {
      // `posts` is the last key, so the last bracket is its list's.
      const text = JSON.stringify({ ...head, posts: [] }, null, 2);
      write(text.slice(0, text.lastIndexOf('[') + 1));
    },
    (post) => {
      write(`${first ? '' : ','}\n    ${JSON.stringify(post, null, 2).replaceAll('\n', '\n    ')}`);
      first = false;
    },
  );
  write(first ? ']\n}\n' : '\n  ]\n}\n');
  return summary;
}
