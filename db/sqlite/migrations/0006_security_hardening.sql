DROP INDEX `comments_author_email_status_idx`;--> statement-breakpoint
ALTER TABLE `comments` ADD `commenter_key` text;--> statement-breakpoint
CREATE INDEX `comments_commenter_key_status_idx` ON `comments` (`commenter_key`,`status`);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` text;