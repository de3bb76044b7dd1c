import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Times are UTC ISO-8601 strings everywhere (`2026-11-22T05:00:00.000Z`): readable in the sqlite3 shell and sortable as text. */
const timestamp = () => text().notNull().$defaultFn(() => new Date().toISOString());

export const POST_STATUSES = ['draft', 'published'] as const;
export const COMMENT_STATUSES = ['pending', 'approved', 'spam'] as const;

export const posts = sqliteTable(
  'posts',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    slug: text().notNull().unique(),
    title: text().notNull(),
    summary: text().notNull().default(''),
    /** Markdown source as the author wrote it. */
    body: text().notNull(),
    /** `body` rendered and sanitised once, at write time. */
    html: text().notNull(),
    status: text({ enum: POST_STATUSES }).notNull().default('draft'),
    publishedAt: text(),
    /** Approved comments; kept exact by triggers on `comments` (see the custom migration). */
    commentCount: integer().notNull().default(0),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  },
  (t) => [
    // Home page, API list and sitemap: published posts, newest first, keyset-paginated.
    index('posts_status_published_at_id_idx').on(t.status, t.publishedAt, t.id),
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
    createdAt: timestamp(),
  },
  (t) => [
    // A post's comments by status, oldest first, keyset-paginated.
    index('comments_post_id_status_created_at_id_idx').on(t.postId, t.status, t.createdAt, t.id),
    // Cascading deletes and reply lookups go through parent_id.
    index('comments_parent_id_idx').on(t.parentId),
    check('comments_status_check', sql`${t.status} in ('pending', 'approved', 'spam')`),
  ],
);

export type Post = typeof posts.$inferSelect;
export type NewPost = typeof posts.$inferInsert;
export type Comment = typeof comments.$inferSelect;
export type NewComment = typeof comments.$inferInsert;
export type PostStatus = (typeof POST_STATUSES)[number];
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
