import { asc, count, eq, getTableName, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type DB, type Tx, getDialect, openDatabase, queryRows, syncIdSequences, transaction } from '@/db';
import { getDatabasePath } from '@/db/config';
import { COMMENT_STATUSES, MAX_ID, SITE_ASSETS, apiTokens, comments, posts, settings, siteAssets, tags, users } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { getEnv } from '@/lib/env';
import { renderImportedAsset } from '@/lib/site/assets';
import { getSiteIdentity } from '@/lib/site/identity';
import { AppError } from '@/lib/errors';
import { renderAcceptedComment, renderPost } from '@/lib/render/markdown';
import { authorStatus, countWords, loadTags, setPostTags } from '@/lib/content/posts';
import { postStatusSchema, slugSchema } from '@/lib/content/schemas';
import { indexPost } from '@/lib/content/search';

/*
 * The whole blog as one JSON document, so an author can leave with their data or move in from
 * elsewhere. It holds what the author wrote and what readers sent: Markdown sources, dates,
 * statuses, tags, and comments with their replies and commenters' emails (this is the author's
 * private copy). HTML, word counts and comment counts are derived and left out; an import derives
 * them again with the same code as the editor. Accounts, tokens and settings stay behind.
 *
 * A full export (`{ full: true }`) is for moving a whole blog to another database (SQLite to
 * PostgreSQL and back): it adds the accounts (password hashes), API tokens (hashes), every settings
 * row (the signing secret too), the site's images and the tags, and gives every row its id. It goes
 * into a new, empty blog only, which then keeps every id: links to `#comment-123` and reply threads
 * still work. Sessions stay behind: everyone signs in again.
 */

export const EXPORT_FORMAT = 'quire-export';
/** Posts and comments only: still version 1, so an older Quire reads it. */
export const EXPORT_VERSION = 1;
/** Version 2 added the sections of a full export. */
export const FULL_EXPORT_VERSION = 2;

const isoTime = (field: string) =>
  z.iso
    .datetime({ offset: true, error: `${field} must be an ISO 8601 date-time such as 2026-11-22T09:30:00.000Z.` })
    .transform((value) => new Date(value).toISOString());

const textOf = (field: string, { required = true } = {}) =>
  z.string({ error: `${field} must be text.` }).min(required ? 1 : 0, `${field} cannot be empty.`);

const idOf = (field: string) =>
  z
    .number({ error: `${field} must be a number.` })
    .int(`${field} must be a whole number.`)
    .positive(`${field} must be positive.`)
    .max(MAX_ID, `${field} must be at most ${MAX_ID}.`);

/** What lib/auth/crypto.ts's sha256 gives: a token's or a commenter id's hash, never the secret itself. */
const sha256Of = (field: string) =>
  z.string({ error: `${field} must be text.` }).regex(/^[0-9a-f]{64}$/, `${field} must be a SHA-256 hash (64 hex digits).`);

const commentSchema = z.strictObject({
  /**
   * Numbers the comment within the file; replies name it in `parentId`. A full export uses the
   * database ids, which its import keeps; any other import gives comments new ones.
   */
  id: idOf('id'),
  parentId: idOf('parentId').nullable().default(null),
  authorName: textOf('authorName'),
  authorEmail: z.string({ error: 'authorEmail must be text or null.' }).max(254).toLowerCase().nullable().default(null),
  /** Written by the blog's author while signed in (shown as "Author"). */
  byAuthor: z.boolean({ error: 'byAuthor must be true or false.' }).default(false),
  /** Full exports: the account that wrote it (the id of one in `users`). */
  authorUserId: idOf('authorUserId').nullable().optional(),
  /** Full exports: who the reader is across comments (see lib/comments/reader-cookies.ts). */
  commenterKey: sha256Of('commenterKey').nullable().optional(),
  status: z.enum(COMMENT_STATUSES, { error: 'status must be "approved", "pending" or "spam".' }).default('approved'),
  createdAt: isoTime('createdAt'),
  updatedAt: isoTime('updatedAt').nullable().default(null),
  /** When the text last changed after it was posted (by its writer or the blog's author). */
  editedAt: isoTime('editedAt').nullable().default(null),
  body: textOf('body'),
});

const postSchema = z
  .strictObject({
    /** Full exports: the database id, which their import keeps. */
    id: idOf('id').optional(),
    slug: slugSchema,
    title: textOf('title'),
    summary: textOf('summary', { required: false }).default(''),
    /** Whether the summary follows the text; left out (another tool's file), an empty summary does. */
    summaryAutomatic: z.boolean({ error: 'summaryAutomatic must be true or false.' }).optional(),
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

const userSchema = z.strictObject({
  id: idOf('id'),
  email: textOf('email').max(254).toLowerCase(),
  name: textOf('name'),
  /** Never a password: what lib/auth/password.ts stores. */
  passwordHash: z
    .string({ error: 'passwordHash must be text.' })
    .regex(
      /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
      'passwordHash must be a password hash as Quire stores it (scrypt$N$r$p$salt$hash), never a password.',
    ),
  createdAt: isoTime('createdAt'),
  updatedAt: isoTime('updatedAt'),
});

const apiTokenSchema = z.strictObject({
  id: idOf('id'),
  userId: idOf('userId'),
  name: textOf('name'),
  /** The token itself is shown once when it is made and never stored, so no export holds it. */
  tokenHash: sha256Of('tokenHash'),
  prefix: textOf('prefix'),
  createdAt: isoTime('createdAt'),
  lastUsedAt: isoTime('lastUsedAt').nullable().default(null),
  expiresAt: isoTime('expiresAt').nullable().default(null),
});

const settingSchema = z.strictObject({
  key: textOf('key'),
  /** As stored: JSON for most keys, the plain signing secret for `signing_secret`. */
  value: textOf('value', { required: false }),
  updatedAt: isoTime('updatedAt'),
});

const siteAssetSchema = z.strictObject({
  name: z.enum(SITE_ASSETS, { error: `name must be one of ${SITE_ASSETS.map((name) => `"${name}"`).join(', ')}.` }),
  /** For people reading the file: an import makes the image again from its bytes, as a PNG. */
  contentType: textOf('contentType'),
  /** The image's bytes in base64. */
  data: z.base64({ error: 'data must be the image in base64.' }).min(1, 'data cannot be empty.'),
  /** Names the bytes in the image's URL (see lib/site/assets.ts). */
  hash: z.string({ error: 'hash must be text.' }).regex(/^[\w-]{16}$/, 'hash must be 16 letters, digits, - or _.'),
  width: idOf('width'),
  height: idOf('height'),
  updatedAt: isoTime('updatedAt'),
});

const tagSchema = z.strictObject({ id: idOf('id'), slug: slugSchema, name: textOf('name') });

/** What a full export adds; they come all together, or none of them does. */
const fullSections = {
  users: z.array(userSchema, { error: 'users must be a list.' }).optional(),
  apiTokens: z.array(apiTokenSchema, { error: 'apiTokens must be a list.' }).optional(),
  settings: z.array(settingSchema, { error: 'settings must be a list.' }).optional(),
  siteAssets: z.array(siteAssetSchema, { error: 'siteAssets must be a list.' }).optional(),
  tags: z.array(tagSchema, { error: 'tags must be a list.' }).optional(),
};
const FULL_SECTIONS = Object.keys(fullSections) as (keyof typeof fullSections)[];

export type ExportedComment = z.output<typeof commentSchema>;
export type ExportedPost = z.output<typeof postSchema>;
export type ExportedUser = z.output<typeof userSchema>;
export type ExportedApiToken = z.output<typeof apiTokenSchema>;
export type ExportedSetting = z.output<typeof settingSchema>;
export type ExportedSiteAsset = z.output<typeof siteAssetSchema>;
export type ExportedTag = z.output<typeof tagSchema>;

export interface ExportSite {
  name: string;
  url: string;
  description: string;
  author?: string;
}

/** The sections of a full export, in the order they are written. */
export interface FullSections {
  users: ExportedUser[];
  apiTokens: ExportedApiToken[];
  settings: ExportedSetting[];
  siteAssets: ExportedSiteAsset[];
  tags: ExportedTag[];
}

export interface ExportDocument extends Partial<FullSections> {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION | typeof FULL_EXPORT_VERSION;
  exportedAt: string;
  /** Where the posts came from; for people reading the file, an import ignores it. */
  site: ExportSite;
  posts: ExportedPost[];
}

const listed = (items: string[], max = 10) =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

type Issue = (path: (string | number)[], message: string) => void;

/** Reports every item of `section` after the first with the same `field`; returns where each value first is. */
function checkUnique<T, F extends keyof T & string>(
  issue: Issue,
  section: keyof FullSections,
  items: T[] | undefined,
  field: F,
  message: (value: T[F]) => string,
): Map<T[F], number> {
  const seen = new Map<T[F], number>();
  items?.forEach((item, i) => {
    const value = item[field];
    if (seen.has(value)) issue([section, i, field], message(value));
    else seen.set(value, i);
  });
  return seen;
}

/** A full export: its sections all there, every post with its id, every reference to a row of the file. */
function checkFullSections(doc: Partial<FullSections> & { posts: ExportedPost[] }, issue: Issue): void {
  const present = FULL_SECTIONS.filter((section) => doc[section] !== undefined);
  if (present.length === 0) return;
  for (const section of FULL_SECTIONS) {
    if (doc[section] === undefined)
      issue([section], `A full export has ${listed(FULL_SECTIONS.map(String))}; this one has ${listed(present)} but no ${section}.`);
  }
  const userIds = checkUnique(issue, 'users', doc.users, 'id', (id) => `Another user has the id ${id} too.`);
  checkUnique(issue, 'users', doc.users, 'email', (email) => `Another user has the email ${email} too.`);
  checkUnique(issue, 'apiTokens', doc.apiTokens, 'id', (id) => `Another token has the id ${id} too.`);
  checkUnique(issue, 'apiTokens', doc.apiTokens, 'tokenHash', () => 'Another token has this hash too.');
  doc.apiTokens?.forEach((token, i) => {
    if (!userIds.has(token.userId)) issue(['apiTokens', i, 'userId'], `No user has the id ${token.userId}.`);
  });
  checkUnique(issue, 'settings', doc.settings, 'key', (key) => `The setting "${key}" is in the file twice.`);
  checkUnique(issue, 'siteAssets', doc.siteAssets, 'name', (name) => `The image "${name}" is in the file twice.`);
  checkUnique(issue, 'tags', doc.tags, 'id', (id) => `Another tag has the id ${id} too.`);
  const tagSlugs = checkUnique(issue, 'tags', doc.tags, 'slug', (slug) => `Another tag has the slug "${slug}" too.`);
  const postIds = new Map<number, number>();
  doc.posts.forEach((post, p) => {
    if (post.id === undefined) issue(['posts', p, 'id'], 'A full export gives every post its id.');
    else if (postIds.has(post.id)) issue(['posts', p, 'id'], `posts[${postIds.get(post.id)}] has the id ${post.id} too.`);
    else postIds.set(post.id, p);
    post.tags.forEach((tag, t) => {
      if (!tagSlugs.has(tag.slug)) issue(['posts', p, 'tags', t, 'slug'], `No tag in tags has the slug "${tag.slug}".`);
    });
    post.comments.forEach((comment, c) => {
      if (comment.authorUserId != null && !userIds.has(comment.authorUserId))
        issue(['posts', p, 'comments', c, 'authorUserId'], `No user has the id ${comment.authorUserId}.`);
    });
  });
}

/**
 * Slugs unique in the file; replies point at a comment of the same post; no comment is its own
 * ancestor; a full export's sections and references (checkFullSections).
 */
function checkReferences(doc: Partial<FullSections> & { posts: ExportedPost[] }, ctx: z.RefinementCtx): void {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
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
  checkFullSections(doc, issue);
}

const documentSchema = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT, { error: `format must be "${EXPORT_FORMAT}": this does not look like a Quire export.` }),
    version: z.literal([EXPORT_VERSION, FULL_EXPORT_VERSION], {
      error: `version must be ${EXPORT_VERSION} or ${FULL_EXPORT_VERSION}: the file comes from another version of Quire.`,
    }),
    exportedAt: isoTime('exportedAt').optional(),
    site: z.unknown().optional(),
    ...fullSections,
    posts: z.array(postSchema, { error: 'posts must be a list.' }),
  })
  .superRefine(checkReferences);

type ParsedExport = z.output<typeof documentSchema>;
/** A parsed export with the sections of a full one. */
type FullExport = ParsedExport & FullSections;
const isFull = (doc: ParsedExport): doc is FullExport => doc.users !== undefined;

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

export interface ExportOptions {
  /** The whole blog with its ids, to move it to another database (see the top of this file). */
  full?: boolean;
}

export interface ExportSummary {
  posts: number;
  comments: number;
  /** A full export: how many rows of each of its sections. */
  full?: { [Section in keyof FullSections]: number };
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
      summary.full = {
        users: sections.users.length,
        apiTokens: sections.apiTokens.length,
        settings: sections.settings.length,
        siteAssets: sections.siteAssets.length,
        tags: sections.tags.length,
      };
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

/* Import. */

export interface ImportResult {
  posts: number;
  comments: number;
  /** Posts that existed here with the same slug and were replaced (with `replace` only). */
  replaced: number;
  /** Comments by the blog's author for which this blog has no account with the same email: imported without the "Author" mark. */
  unlinkedAuthorComments: number;
  /** A full export: the rows of its other sections, imported as they are. */
  full?: { [Section in keyof FullSections]: number };
}

/** Whether a JSON value claims to be a full export, for a caller's wording before it is imported. */
export const isFullExport = (input: unknown): boolean => typeof input === 'object' && input !== null && 'users' in input;

/** Rows inserted per statement: far below either database's limit on parameters. */
const INSERT_CHUNK = 500;

const counted = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

/** Every id a full import keeps must be free, so it goes into a blog with no posts, accounts or tags. */
async function refuseUnlessEmpty(tx: Tx): Promise<void> {
  const rows = async (table: typeof posts | typeof users | typeof tags) => (await tx.select({ n: count() }).from(table))[0]!.n;
  const held: [number, string][] = [
    [await rows(posts), 'post'],
    [await rows(users), 'account'],
    [await rows(tags), 'tag'],
  ];
  const found = held.filter(([n]) => n > 0).map(([n, noun]) => counted(n, noun));
  if (found.length === 0) return;
  const has = found.length === 1 ? found[0] : `${found.slice(0, -1).join(', ')} and ${found.at(-1)}`;
  throw new AppError(
    'conflict',
    `A full export goes into a new, empty blog, where every row keeps its id, and this one has ${has}. ` +
      'Import it into a new database: a new file in DATABASE_PATH, or a newly created PostgreSQL database in DATABASE_URL.',
  );
}

type AssetRow = Awaited<ReturnType<typeof renderImportedAsset>>;

/** The rows of a full export's sections, with their ids; settings and images replace what a new blog made of its own. */
async function insertFullSections(tx: Tx, doc: FullExport, assetRows: AssetRow[]): Promise<void> {
  for (let i = 0; i < doc.users.length; i += INSERT_CHUNK) await tx.insert(users).values(doc.users.slice(i, i + INSERT_CHUNK));
  for (let i = 0; i < doc.apiTokens.length; i += INSERT_CHUNK) await tx.insert(apiTokens).values(doc.apiTokens.slice(i, i + INSERT_CHUNK));
  for (let i = 0; i < doc.tags.length; i += INSERT_CHUNK) await tx.insert(tags).values(doc.tags.slice(i, i + INSERT_CHUNK));
  // A new blog that has run once has a signing secret of its own, and a setup token's hash.
  for (const { key, value, updatedAt } of doc.settings) {
    await tx.insert(settings).values({ key, value, updatedAt }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt } });
  }
  for (const { name, ...row } of assetRows) {
    await tx
      .insert(siteAssets)
      .values({ name, ...row })
      .onConflictDoUpdate({ target: siteAssets.name, set: row });
  }
}

/**
 * Adds every post and comment of an export, all or nothing, in one transaction. Slugs, dates,
 * statuses, tags and reply threads are kept; HTML is rendered and search-indexed as the editor
 * would. A slug that exists here stops the import, unless `replace` is set: then the existing
 * post (and its comments) is replaced by the one in the file. Comments by the blog's author keep
 * their mark when an account with the same email exists here.
 *
 * A full export goes into an empty blog only and keeps every id (posts, comments, tags, accounts,
 * tokens), with the settings and images; on PostgreSQL the id sequences then move past them.
 */
export async function importData(input: unknown, { replace = false }: { replace?: boolean } = {}): Promise<ImportResult> {
  const doc = parseExport(input);
  const full = isFull(doc);
  if (full && replace) {
    throw new AppError(
      'bad_request',
      'A full export goes into a new, empty blog only, so it replaces nothing: import it without --replace.',
    );
  }
  // The site's images go through the uploads' pipeline: an edited file can hold any bytes under any type.
  const assetRows: AssetRow[] = [];
  for (const [i, { name, data, updatedAt }] of (full ? doc.siteAssets : []).entries()) {
    assetRows.push(await renderImportedAsset(name, Buffer.from(data, 'base64'), updatedAt, `siteAssets[${i}].data`));
  }
  // Rendering is the slow part; done first, the write lock is held only for the inserts.
  const rendered: { html: string; text: string; summary: string; wordCount: number; comments: string[] }[] = [];
  for (const post of doc.posts) {
    const { html, text, summary } = await renderPost(post.body);
    const comments: string[] = [];
    // Never refused: a comment this blog accepted under other limits must not stop the import (see renderAcceptedComment).
    for (const comment of post.comments) comments.push(await renderAcceptedComment(comment.body));
    rendered.push({ html, text, summary, wordCount: countWords(text), comments });
  }

  const result = await transaction(async (tx) => {
    let conflicts: { slug: string; index: number }[] = [];
    if (full) {
      await refuseUnlessEmpty(tx);
      await insertFullSections(tx, doc, assetRows);
    } else {
      const taken = new Set((await tx.select({ slug: posts.slug }).from(posts)).map((row) => row.slug));
      conflicts = doc.posts.flatMap((post, index) => (taken.has(post.slug) ? [{ slug: post.slug, index }] : []));
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
    }

    const accounts = new Map((await tx.select({ id: users.id, email: users.email }).from(users)).map((user) => [user.email, user.id]));
    let commentCount = 0;
    let unlinkedAuthorComments = 0;
    for (const [p, post] of doc.posts.entries()) {
      const { html, text, summary, wordCount, comments: commentHtml } = rendered[p]!;
      const { id: fileId, tags: postTags, comments: postComments, status, summaryAutomatic, ...fields } = post;
      // An automatic summary is taken from the text again, as a save here would.
      const automatic = summaryAutomatic ?? fields.summary === '';
      const [inserted] = await tx
        .insert(posts)
        .values({
          ...(full ? { id: fileId } : {}),
          ...fields,
          ...(automatic && { summary }),
          summaryAutomatic: automatic,
          status: status === 'draft' ? 'draft' : 'published',
          html,
          wordCount,
        })
        .returning({ id: posts.id });
      const postId = inserted!.id;
      await setPostTags(tx, postId, postTags);

      // Parents first: a reply is inserted once the comment it answers has its id here.
      const newIds = new Map<number, number>();
      let waiting = postComments.map((comment, c) => ({ comment, html: commentHtml[c]! }));
      while (waiting.length > 0) {
        const later: typeof waiting = [];
        for (const item of waiting) {
          const { id, parentId, byAuthor, authorUserId: fileAuthorId, commenterKey, ...comment } = item.comment;
          if (parentId !== null && !newIds.has(parentId)) {
            later.push(item);
            continue;
          }
          // A full export names the account; otherwise the mark goes to the account here with the same email.
          const authorUserId = full ? (fileAuthorId ?? null) : byAuthor ? (accounts.get(comment.authorEmail ?? '') ?? null) : null;
          if (byAuthor && authorUserId === null) unlinkedAuthorComments++;
          const [created] = await tx
            .insert(comments)
            .values({
              ...(full ? { id, commenterKey: commenterKey ?? null } : {}),
              ...comment,
              postId,
              parentId: parentId === null ? null : newIds.get(parentId)!,
              authorUserId,
              html: item.html,
            })
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
    // Before the commit, so that no row written after it draws an id the import took.
    if (full) await syncIdSequences([users, apiTokens, tags, posts, comments].map((table) => getTableName(table)));
    return {
      posts: doc.posts.length,
      comments: commentCount,
      replaced: conflicts.length,
      unlinkedAuthorComments,
      ...(full
        ? {
            full: {
              users: doc.users.length,
              apiTokens: doc.apiTokens.length,
              settings: doc.settings.length,
              siteAssets: doc.siteAssets.length,
              tags: doc.tags.length,
            },
          }
        : {}),
    };
  });
  expire(cacheTags.content);
  return result;
}
