-- Full-text search over posts with PostgreSQL's own engine: the twin of SQLite's posts_fts and
-- posts_fts_prefix (db/sqlite/migrations/0004_search_index.sql, 0007_search_prefixes.sql). Drizzle does
-- not model it (SQLite's side is a virtual table), hence a custom migration.
--
-- post_search has one row per indexed post:
--   post_id          the post (deleting the post deletes its row: no trigger needed)
--   title, summary,  the plain text to search, written by lib/content/search.ts in the same
--   body, tags       transaction as the post (body: the plain text of its Markdown; tags: names, space-separated)
--   document         generated: stemmed words weighted title A, tags B, summary C, body D, for
--                    websearch_to_tsquery('quire_english', ...), ts_rank and ts_headline
--   prefix_document  generated: the same words as written (unstemmed), same weights, for the word still
--                    being typed: to_tsquery('quire_simple', 'tagg:*') matches "tagged", which the stemmed
--                    document ("tag") cannot (0007's comment explains why SQLite has a second index too)
--
-- Queries must use the same configurations as the columns. quire_english and quire_simple are
-- PostgreSQL's english and simple with two changes, to search as FTS5's tokenizer does here:
-- diacritics are removed (unaccent: "cafe" finds "café", like remove_diacritics 2), and no stop words are
-- dropped ("the" and "not" are words like any other, as in FTS5). unaccent ships with PostgreSQL; since
-- version 13 the database's owner may create it, on 12 a superuser must create it first.
CREATE EXTENSION IF NOT EXISTS "unaccent";
--> statement-breakpoint
CREATE TEXT SEARCH DICTIONARY "quire_english_stem" (TEMPLATE = snowball, LANGUAGE = english);
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION "quire_english" (COPY = english);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION "quire_english"
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH "quire_english_stem";
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION "quire_english"
  ALTER MAPPING FOR word, hword, hword_part WITH "unaccent", "quire_english_stem";
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION "quire_simple" (COPY = simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION "quire_simple"
  ALTER MAPPING FOR word, hword, hword_part WITH "unaccent", simple;
--> statement-breakpoint
CREATE TABLE "post_search" (
  "post_id" integer PRIMARY KEY REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "title" text DEFAULT '' NOT NULL,
  "summary" text DEFAULT '' NOT NULL,
  "body" text DEFAULT '' NOT NULL,
  "tags" text DEFAULT '' NOT NULL,
  "document" tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('quire_english', "title"), 'A') ||
    setweight(to_tsvector('quire_english', "tags"), 'B') ||
    setweight(to_tsvector('quire_english', "summary"), 'C') ||
    setweight(to_tsvector('quire_english', "body"), 'D')
  ) STORED,
  "prefix_document" tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('quire_simple', "title"), 'A') ||
    setweight(to_tsvector('quire_simple', "tags"), 'B') ||
    setweight(to_tsvector('quire_simple', "summary"), 'C') ||
    setweight(to_tsvector('quire_simple', "body"), 'D')
  ) STORED
);
--> statement-breakpoint
CREATE INDEX "post_search_document_idx" ON "post_search" USING gin ("document");
--> statement-breakpoint
CREATE INDEX "post_search_prefix_document_idx" ON "post_search" USING gin ("prefix_document");
