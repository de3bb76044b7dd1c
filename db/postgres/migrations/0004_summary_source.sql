ALTER TABLE "posts" ADD COLUMN "summary_automatic" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Existing summaries that the old automatic cut made (160 characters at most, ending in an ellipsis,
-- or the whole text of a short post, or nothing) follow the text from now on; any other is the author's.
UPDATE "posts" SET "summary_automatic" = true
  WHERE "summary" = '' OR "summary" = trim("body") OR ("summary" LIKE '%…' AND length("summary") <= 160);
