-- Full-text search over posts (Drizzle does not model virtual tables, hence a custom migration).
-- The rowid is the post id. Text is written by lib/search.ts in the same transaction as the post;
-- deletes, including cascades, are mirrored by the trigger below. Existing posts are indexed at
-- start by lib/search.ts (the plain text of Markdown is computed in JavaScript).
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
  `title`, `summary`, `body`, `tags`,
  tokenize = 'porter unicode61 remove_diacritics 2',
  prefix = '2 3'
);
--> statement-breakpoint
CREATE TRIGGER `posts_fts_after_delete` AFTER DELETE ON `posts`
BEGIN
  DELETE FROM `posts_fts` WHERE `rowid` = OLD.`id`;
END;
