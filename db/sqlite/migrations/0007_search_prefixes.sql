-- Prefixes as written, for search as you type (issue 11 item 9). posts_fts stems words, and so does a
-- prefix query on it: "tagg" becomes the term "tagg", which no stemmed word ("tagged" is "tag") starts
-- with. This second index keeps words unstemmed, so the last, still typed word of a query matches any
-- word it begins; posts_fts still answers whole words and ranks them. Same rowid (the post id), same
-- columns; lib/search.ts writes both in one transaction and the trigger below mirrors deletes.
CREATE VIRTUAL TABLE `posts_fts_prefix` USING fts5(
  `title`, `summary`, `body`, `tags`,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3 4'
);
--> statement-breakpoint
INSERT INTO `posts_fts_prefix` (`rowid`, `title`, `summary`, `body`, `tags`)
  SELECT `rowid`, `title`, `summary`, `body`, `tags` FROM `posts_fts`;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_prefix_after_delete` AFTER DELETE ON `posts`
BEGIN
  DELETE FROM `posts_fts_prefix` WHERE `rowid` = OLD.`id`;
END;
