CREATE TABLE `cache_tag_expiries` (
	`tag` text PRIMARY KEY NOT NULL,
	`expired_at` integer NOT NULL,
	`revision` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cache_tag_expiries_revision_idx` ON `cache_tag_expiries` (`revision`);--> statement-breakpoint
CREATE INDEX `cache_tag_expiries_expired_at_idx` ON `cache_tag_expiries` (`expired_at`);