import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { COMMENT_STATUSES, POST_STATUSES, SITE_ASSETS } from '../enums';

/*
 * The PostgreSQL twin of db/sqlite/schema.ts: the same tables, columns, names and indexes, so one
 * data layer (lib/) runs on either. Where the types differ it is for PostgreSQL's sake only:
 * `boolean` for flags, `bytea` for bytes, `bigint` for epoch milliseconds, identity columns for ids
 * (BY DEFAULT, so an import can keep a blog's ids). Times stay UTC ISO-8601 text, as on SQLite:
 * one format everywhere, sortable, and an export round-trips them byte for byte.
 */

const timestamp = () =>
  text()
    .notNull()
    .$defaultFn(() => new Date().toISOString());
const id = () => integer().primaryKey().generatedByDefaultAsIdentity();
/** Epoch milliseconds outgrow a 32-bit integer. */
const epochMs = () => bigint({ mode: 'number' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const posts = pgTable(
  'posts',
  {
    id: id(),
    slug: text().notNull().unique(),
    title: text().notNull(),
    summary: text().notNull().default(''),
    summaryAutomatic: boolean().notNull().default(false),
    body: text().notNull(),
    html: text().notNull(),
    status: text({ enum: POST_STATUSES }).notNull().default('draft'),
    publishedAt: text(),
    commentCount: integer().notNull().default(0),
    wordCount: integer().notNull().default(0),
    commentsEnabled: boolean().notNull().default(true),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  },
  (t) => [
    index('posts_status_published_at_id_idx').on(t.status, t.publishedAt, t.id),
    index('posts_status_published_at_updated_at_idx').on(t.status, t.publishedAt, t.updatedAt),
    index('posts_updated_at_id_idx').on(t.updatedAt, t.id),
    index('posts_status_updated_at_id_published_at_idx').on(t.status, t.updatedAt, t.id, t.publishedAt),
    check('posts_status_check', sql`${t.status} in ('draft', 'published')`),
    check('posts_published_has_date', sql`${t.status} <> 'published' or ${t.publishedAt} is not null`),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: id(),
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    parentId: integer().references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
    authorName: text().notNull(),
    authorEmail: text(),
    body: text().notNull(),
    html: text().notNull(),
    status: text({ enum: COMMENT_STATUSES }).notNull().default('approved'),
    authorUserId: integer().references(() => users.id, { onDelete: 'set null' }),
    commenterKey: text(),
    createdAt: timestamp(),
    updatedAt: text(),
    editedAt: text(),
    moderationReason: text(),
  },
  (t) => [
    index('comments_status_created_at_id_idx').on(t.status, t.createdAt, t.id),
    index('comments_commenter_key_status_idx').on(t.commenterKey, t.status),
    index('comments_post_id_status_created_at_id_idx').on(t.postId, t.status, t.createdAt, t.id),
    index('comments_parent_id_idx').on(t.parentId),
    // PostgreSQL does not index foreign keys by itself; "set null" on deleting a user needs this one.
    index('comments_author_user_id_idx').on(t.authorUserId),
    check('comments_status_check', sql`${t.status} in ('pending', 'approved', 'spam')`),
  ],
);

export const users = pgTable('users', {
  id: id(),
  email: text().notNull().unique(),
  name: text().notNull(),
  passwordHash: text().notNull(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp(),
    expiresAt: text().notNull(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_expires_at_idx').on(t.expiresAt)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    tokenHash: text().notNull(),
    prefix: text().notNull(),
    createdAt: timestamp(),
    lastUsedAt: text(),
    expiresAt: text(),
  },
  (t) => [uniqueIndex('api_tokens_token_hash_unique').on(t.tokenHash), index('api_tokens_user_id_idx').on(t.userId)],
);

export const settings = pgTable('settings', {
  key: text().primaryKey(),
  value: text().notNull(),
  updatedAt: timestamp(),
});

export const siteAssets = pgTable('site_assets', {
  name: text({ enum: SITE_ASSETS }).primaryKey(),
  contentType: text().notNull(),
  data: bytea().notNull(),
  hash: text().notNull(),
  width: integer().notNull(),
  height: integer().notNull(),
  updatedAt: timestamp(),
});

export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text().primaryKey(),
    /** A window's start, or a back-off key's next allowed attempt (db/sqlite/schema.ts). */
    windowStart: epochMs().notNull(),
    count: integer().notNull(),
  },
  (t) => [index('rate_limits_window_start_idx').on(t.windowStart)],
);

export const tags = pgTable('tags', {
  id: id(),
  slug: text().notNull().unique(),
  name: text().notNull(),
});

export const postTags = pgTable(
  'post_tags',
  {
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    tagId: integer()
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    position: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.postId, t.tagId] }), index('post_tags_tag_id_idx').on(t.tagId, t.postId)],
);

export const cacheTagExpiries = pgTable(
  'cache_tag_expiries',
  {
    tag: text().primaryKey(),
    expiredAt: epochMs().notNull(),
    revision: epochMs().notNull(),
  },
  (t) => [index('cache_tag_expiries_revision_idx').on(t.revision), index('cache_tag_expiries_expired_at_idx').on(t.expiredAt)],
);
