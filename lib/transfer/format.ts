import { z } from 'zod';
import { COMMENT_STATUSES, MAX_ID, SITE_ASSETS } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { postStatusSchema, slugSchema } from '@/lib/content/schemas';

/*
 * The export format: the whole blog as one JSON document, so an author can leave with their data
 * or move in from elsewhere. It holds what the author wrote and what readers sent: Markdown sources,
 * dates, statuses, tags, and comments with their replies and commenters' emails (this is the
 * author's private copy). HTML, word counts and comment counts are derived and left out; an import
 * derives them again with the same code as the editor. Accounts, tokens and settings stay behind.
 *
 * A full export (`{ full: true }`) is for moving a whole blog to another database (SQLite to
 * PostgreSQL and back): it adds the accounts (password hashes), API tokens (hashes), every settings
 * row (the signing secret too), the site's images and the tags, and gives every row its id. It goes
 * into a new, empty blog only, which then keeps every id: links to `#comment-123` and reply threads
 * still work. Sessions stay behind: everyone signs in again.
 *
 * This file is the format: its schemas, and parseExport, which checks a file against them.
 * export.ts beside it writes the format, import.ts reads it into the database. An importer of
 * another tool's file (WordPress, Ghost, Disqus) belongs here too: it builds this document, and
 * importData checks and stores it as it does Quire's own.
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

/** How many rows of each section of a full export. */
export type SectionCounts = { [Section in keyof FullSections]: number };

export const sectionCounts = (doc: FullSections): SectionCounts =>
  Object.fromEntries(FULL_SECTIONS.map((section) => [section, doc[section].length])) as SectionCounts;

export interface ExportDocument extends Partial<FullSections> {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION | typeof FULL_EXPORT_VERSION;
  exportedAt: string;
  /** Where the posts came from; for people reading the file, an import ignores it. */
  site: ExportSite;
  posts: ExportedPost[];
}

/** A list for a message: the first `max` items, then how many more. */
export const listed = (items: string[], max = 10) =>
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

export type ParsedExport = z.output<typeof documentSchema>;
/** A parsed export with the sections of a full one. */
export type FullExport = ParsedExport & FullSections;
export const isFull = (doc: ParsedExport): doc is FullExport => doc.users !== undefined;

/** `['posts', 3, 'comments', 0, 'body']` as people write it: `posts[3].comments[0].body`. */
export const formatPath = (path: readonly PropertyKey[]) =>
  path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('') || '(the document)';

/** Checks a parsed JSON value against the export format; every problem is reported with its path. */
export function parseExport(input: unknown): ParsedExport {
  const result = documentSchema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message }));
  throw new AppError('validation', `This is not a valid Quire export (${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}).`, {
    errors,
  });
}

/** Whether a JSON value claims to be a full export, for a caller's wording before it is imported. */
export const isFullExport = (input: unknown): boolean => typeof input === 'object' && input !== null && 'users' in input;
