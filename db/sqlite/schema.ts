import { sql } from 'drizzle-orm';
import { COMMENT_STATUSES, POST_STATUSES, SITE_ASSETS } from '../enums';
import { type AnySQLiteColumn, blob, check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Times are UTC ISO-8601 strings everywhere (`2026-11-22T05:00:00.000Z`): readable in the sqlite3 shell and sortable as text. */
const timestamp = () =>
  text()
    .notNull()
    .$defaultFn(() => new Date().toISOString());

export const posts = sqliteTable(
  'posts',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    slug: text().notNull().unique(),
    title: text().notNull(),
    summary: text().notNull().default(''),
    /** The summary is derived from the text at every save (lib/render/markdown-pipeline.ts), until the author writes one. */
    summaryAutomatic: integer({ mode: 'boolean' }).notNull().default(false),
    /** Markdown source as the author wrote it. */
    body: text().notNull(),
    /** `body` rendered and sanitised once, at write time. */
    html: text().notNull(),
    status: text({ enum: POST_STATUSES }).notNull().default('draft'),
    publishedAt: text(),
    /** Approved comments; kept exact by triggers on `comments` (see the custom migration). */
    commentCount: integer().notNull().default(0),
    /** Words in the text, counted at write time for the reading time. */
    wordCount: integer().notNull().default(0),
    /** Readers may comment (the site-wide setting can still close comments everywhere). */
    commentsEnabled: integer({ mode: 'boolean' }).notNull().default(true),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  },
  (t) => [
    // Home page, API list and sitemap: published posts, newest first, keyset-paginated.
    index('posts_status_published_at_id_idx').on(t.status, t.publishedAt, t.id),
    // Sitemaps: the newest change among live posts (overall, per shard, per tag) from the index alone.
    index('posts_status_published_at_updated_at_idx').on(t.status, t.publishedAt, t.updatedAt),
    // The author's post list: everything, most recently edited first.
    index('posts_updated_at_id_idx').on(t.updatedAt, t.id),
    // The author's post list of one status, most recently edited first; published_at tells live from scheduled.
    index('posts_status_updated_at_id_published_at_idx').on(t.status, t.updatedAt, t.id, t.publishedAt),
    check('posts_status_check', sql`${t.status} in ('draft', 'published')`),
    check('posts_published_has_date', sql`${t.status} <> 'published' or ${t.publishedAt} is not null`),
  ],
);

export const comments = sqliteTable(
  'comments',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    parentId: integer().references((): AnySQLiteColumn => comments.id, { onDelete: 'cascade' }),
    authorName: text().notNull(),
    /** Optional; never leaves the server. */
    authorEmail: text(),
    body: text().notNull(),
    html: text().notNull(),
    status: text({ enum: COMMENT_STATUSES }).notNull().default('approved'),
    /** Set when the blog's author wrote the comment while signed in: shown as "Author". */
    authorUserId: integer().references(() => users.id, { onDelete: 'set null' }),
    /**
     * SHA-256 of the random id in the reader's signed commenter cookie: who wrote it, for "hold
     * first-time commenters". A typed email proves nothing, so it is never used for that.
     */
    commenterKey: text(),
    createdAt: timestamp(),
    updatedAt: text(),
    /** When its text last changed after it was posted, by its reader or the blog's author; null if never. */
    editedAt: text(),
    /** Why Quire held it or filed it as spam ("blocklisted word: …"), for the queue; null when it was published. */
    moderationReason: text(),
  },
  (t) => [
    // The moderation queue: comments by status, newest first.
    index('comments_status_created_at_id_idx').on(t.status, t.createdAt, t.id),
    // "Hold first-time commenters": has this reader an approved comment?
    index('comments_commenter_key_status_idx').on(t.commenterKey, t.status),
    // A post's comments by status, oldest first, keyset-paginated.
    index('comments_post_id_status_created_at_id_idx').on(t.postId, t.status, t.createdAt, t.id),
    // Cascading deletes and reply lookups go through parent_id.
    index('comments_parent_id_idx').on(t.parentId),
    check('comments_status_check', sql`${t.status} in ('pending', 'approved', 'spam')`),
  ],
);

export const users = sqliteTable('users', {
  id: integer().primaryKey({ autoIncrement: true }),
  /** Stored lower-cased; the sign-in name. */
  email: text().notNull().unique(),
  name: text().notNull(),
  /** scrypt with a per-user salt: `scrypt$N$r$p$salt$hash` (see lib/auth/password.ts). */
  passwordHash: text().notNull(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the cookie's random token: a stolen database does not yield live sessions. */
    id: text().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp(),
    expiresAt: text().notNull(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_expires_at_idx').on(t.expiresAt)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    tokenHash: text().notNull(),
    /** The first characters, so the author can tell tokens apart. */
    prefix: text().notNull(),
    createdAt: timestamp(),
    lastUsedAt: text(),
    /** After this moment the token no longer works; null for a token that does not expire. */
    expiresAt: text(),
  },
  (t) => [uniqueIndex('api_tokens_token_hash_unique').on(t.tokenHash), index('api_tokens_user_id_idx').on(t.userId)],
);

/** Small site-wide values as JSON: moderation settings, the signing secret, the setup token's hash. */
export const settings = sqliteTable('settings', {
  key: text().primaryKey(),
  value: text().notNull(),
  updatedAt: timestamp(),
});

/**
 * Images that give the site its identity (the logo, the favicon), uploaded in Site settings and
 * re-encoded by sharp. `hash` names the current bytes, so their URL can be cached for ever.
 */
export const siteAssets = sqliteTable('site_assets', {
  name: text({ enum: SITE_ASSETS }).primaryKey(),
  contentType: text().notNull(),
  data: blob({ mode: 'buffer' }).notNull(),
  hash: text().notNull(),
  width: integer().notNull(),
  height: integer().notNull(),
  updatedAt: timestamp(),
});

/**
 * Rate limits shared by every server process (lib/rate-limit.ts): fixed-window counters (comment
 * floods, the setup page) and back-off delays (sign-in).
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text().primaryKey(),
    /**
     * Epoch milliseconds. For a fixed-window counter, when its window started; for a back-off key
     * (reserveAttempt), when its next attempt is allowed.
     */
    windowStart: integer().notNull(),
    count: integer().notNull(),
  },
  (t) => [index('rate_limits_window_start_idx').on(t.windowStart)],
);

export const tags = sqliteTable('tags', {
  id: integer().primaryKey({ autoIncrement: true }),
  slug: text().notNull().unique(),
  name: text().notNull(),
});

export const postTags = sqliteTable(
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

/**
 * When each cache tag was last expired, for every server process on this file (server/cache-handler.mjs):
 * a page or data entry a process cached before its tag's time is a miss there. `revision` numbers
 * the writes, so a process reads only the rows written since it last looked.
 */
export const cacheTagExpiries = sqliteTable(
  'cache_tag_expiries',
  {
    tag: text().primaryKey(),
    expiredAt: integer().notNull(),
    revision: integer().notNull(),
  },
  (t) => [index('cache_tag_expiries_revision_idx').on(t.revision), index('cache_tag_expiries_expired_at_idx').on(t.expiredAt)],
);
