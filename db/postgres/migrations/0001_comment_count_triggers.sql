-- posts.comment_count counts approved comments. Triggers keep it exact for every write path
-- (API, moderation, cascades, psql), so lists never aggregate at read time: the PostgreSQL twin of
-- db/sqlite/migrations/0001_comment_count_triggers.sql, with the same three triggers and conditions.
-- One function serves all three; each trigger's WHEN clause decides whether it runs at all.
CREATE FUNCTION "comments_count_after_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- OLD exists for DELETE and UPDATE, NEW for INSERT and UPDATE; test TG_OP before reading either.
  IF TG_OP <> 'INSERT' THEN
    IF OLD."status" = 'approved' THEN
      UPDATE "posts" SET "comment_count" = "comment_count" - 1 WHERE "id" = OLD."post_id";
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW."status" = 'approved' THEN
      UPDATE "posts" SET "comment_count" = "comment_count" + 1 WHERE "id" = NEW."post_id";
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "comments_count_after_insert" AFTER INSERT ON "comments"
FOR EACH ROW WHEN (NEW."status" = 'approved')
EXECUTE FUNCTION "comments_count_after_write"();
--> statement-breakpoint
CREATE TRIGGER "comments_count_after_delete" AFTER DELETE ON "comments"
FOR EACH ROW WHEN (OLD."status" = 'approved')
EXECUTE FUNCTION "comments_count_after_write"();
--> statement-breakpoint
CREATE TRIGGER "comments_count_after_update" AFTER UPDATE OF "status", "post_id" ON "comments"
FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."post_id" IS DISTINCT FROM NEW."post_id")
EXECUTE FUNCTION "comments_count_after_write"();
