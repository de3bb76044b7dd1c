import { getDialect } from './config';
import * as postgres from './postgres/schema';
import * as sqlite from './sqlite/schema';

/*
 * The tables of the database this process uses. Both dialects define the same tables and columns
 * (db/sqlite/schema.ts, db/postgres/schema.ts); lib/ writes each query once against these, typed
 * as SQLite's, and Drizzle builds it in the dialect of the table it is given. Queries keep to what
 * both dialects share: awaited builders, `.returning()`, `onConflictDo*`, and the helpers in
 * db/sql.ts where the SQL itself differs. The whole suite runs on both (tests/README.md).
 */
const tables = (getDialect() === 'postgres' ? postgres : sqlite) as unknown as typeof sqlite;

export const { posts, comments, users, sessions, apiTokens, settings, siteAssets, rateLimits, tags, postTags, cacheTagExpiries } = tables;

export * from './enums';

export type Post = typeof sqlite.posts.$inferSelect;
export type NewPost = typeof sqlite.posts.$inferInsert;
export type Comment = typeof sqlite.comments.$inferSelect;
export type NewComment = typeof sqlite.comments.$inferInsert;
export type User = typeof sqlite.users.$inferSelect;
export type Tag = typeof sqlite.tags.$inferSelect;
