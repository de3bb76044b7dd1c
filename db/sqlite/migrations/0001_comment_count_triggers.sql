-- posts.comment_count counts approved comments. Triggers keep it exact for every write path
-- (API, moderation, cascades, the sqlite3 shell), so lists never aggregate at read time.
CREATE TRIGGER `comments_count_after_insert` AFTER INSERT ON `comments`
WHEN NEW.`status` = 'approved'
BEGIN
  UPDATE `posts` SET `comment_count` = `comment_count` + 1 WHERE `id` = NEW.`post_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `comments_count_after_delete` AFTER DELETE ON `comments`
WHEN OLD.`status` = 'approved'
BEGIN
  UPDATE `posts` SET `comment_count` = `comment_count` - 1 WHERE `id` = OLD.`post_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `comments_count_after_update` AFTER UPDATE OF `status`, `post_id` ON `comments`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`post_id` IS NOT NEW.`post_id`
BEGIN
  UPDATE `posts` SET `comment_count` = `comment_count` - 1 WHERE `id` = OLD.`post_id` AND OLD.`status` = 'approved';
  UPDATE `posts` SET `comment_count` = `comment_count` + 1 WHERE `id` = NEW.`post_id` AND NEW.`status` = 'approved';
END;
