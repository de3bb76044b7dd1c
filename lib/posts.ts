import { and, desc, eq, like, or, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { type Post, posts } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { markdownToPlainText, renderPostMarkdown } from '@/lib/markdown';
import { type ListQuery, type Page, decodeCursor, toPage } from '@/lib/pagination';
import type { PostCreateInput, PostUpdateInput } from '@/lib/schemas';
import { absoluteUrl, postPath } from '@/lib/site';
import { slugify } from '@/lib/slug';

/** What readers and API clients see of a post in lists. */
export interface PostSummary {
  id: number;
  slug: string;
  title: string;
  summary: string;
  publishedAt: string;
  updatedAt: string;
  commentCount: number;
  url: string;
}

export interface PublishedPost extends PostSummary {
  html: string;
}

/** The author's view: everything, including drafts' Markdown source. */
export type AuthorPost = Omit<Post, 'publishedAt'> & { publishedAt: string | null; url: string };

const summaryColumns = {
  id: posts.id,
  slug: posts.slug,
  title: posts.title,
  summary: posts.summary,
  publishedAt: posts.publishedAt,
  updatedAt: posts.updatedAt,
  commentCount: posts.commentCount,
};

const isPublished = eq(posts.status, 'published');

/** Writers take the lock up front, so a busy database waits (busy_timeout) instead of failing on upgrade. */
export const WRITE = { behavior: 'immediate' } as const;

type SummaryRow = { [K in keyof typeof summaryColumns]: Post[K] };

function toSummary(row: SummaryRow): PostSummary {
  // A published row always has a date (a CHECK constraint guarantees it).
  return { ...row, publishedAt: row.publishedAt!, url: absoluteUrl(postPath(row.slug)) };
}

const toAuthorPost = (post: Post): AuthorPost => ({ ...post, url: absoluteUrl(postPath(post.slug)) });

/** Published posts, newest first, one keyset page at a time (index: status, published_at, id). */
export function listPublishedPosts({ limit, cursor }: ListQuery): Page<PostSummary> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = getDb()
    .select(summaryColumns)
    .from(posts)
    .where(and(isPublished, after && sql`(${posts.publishedAt}, ${posts.id}) < (${after.time}, ${after.id})`))
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(limit + 1)
    .all();
  return toPage(rows.map(toSummary), limit, (post) => ({ time: post.publishedAt, id: post.id }));
}

export function getPublishedPost(slug: string): PublishedPost | undefined {
  const row = getDb()
    .select({ ...summaryColumns, html: posts.html })
    .from(posts)
    .where(and(eq(posts.slug, slug), isPublished))
    .get();
  return row && { ...toSummary(row), html: row.html };
}

/** Post id of a published post, for comment reads and writes. */
export function getPublishedPostId(slug: string): number | undefined {
  return getDb().select({ id: posts.id }).from(posts).where(and(eq(posts.slug, slug), isPublished)).get()?.id;
}

/** Every published post's URL and last change, for the sitemap. */
export function listSitemapEntries(): { slug: string; updatedAt: string }[] {
  return getDb()
    .select({ slug: posts.slug, updatedAt: posts.updatedAt })
    .from(posts)
    .where(isPublished)
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .all();
}

/** Whether any post, draft or published, uses this slug (other than the post `exceptId`). */
export function postExists(slug: string, exceptId?: number): boolean {
  const row = getDb().select({ id: posts.id }).from(posts).where(eq(posts.slug, slug)).get();
  return row !== undefined && row.id !== exceptId;
}

/** A derived slug never fails: "title", then "title-2", "title-3" ... (one query for all candidates). */
function uniqueSlugFrom(title: string): string {
  const base = slugify(title);
  const taken = new Set(
    getDb()
      .select({ slug: posts.slug })
      .from(posts)
      .where(or(eq(posts.slug, base), like(posts.slug, `${base}-%`)))
      .all()
      .map((row) => row.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

const slugConflict = (slug: string) =>
  new AppError('conflict', `A post with the slug "${slug}" already exists.`, {
    errors: [{ field: 'slug', message: 'This slug is already used by another post.' }],
  });

/** A UNIQUE violation can still happen when two writers race; it means the same as the check. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createPost(input: PostCreateInput): AuthorPost {
  const html = renderPostMarkdown(input.body);
  const now = new Date().toISOString();
  const db = getDb();
  try {
    return db.transaction((tx) => {
      if (input.slug && postExists(input.slug)) throw slugConflict(input.slug);
      const slug = input.slug ?? uniqueSlugFrom(input.title);
      const publishedAt = input.publishedAt ?? (input.status === 'published' ? now : null);
      const created = tx
        .insert(posts)
        .values({ ...input, slug, summary: input.summary || markdownToPlainText(input.body), html, publishedAt, createdAt: now, updatedAt: now })
        .returning()
        .get();
      return toAuthorPost(created);
    }, WRITE);
  } catch (error) {
    if (isUniqueViolation(error)) throw slugConflict(input.slug ?? slugify(input.title));
    throw error;
  }
}

export function updatePost(slug: string, patch: PostUpdateInput): AuthorPost {
  const db = getDb();
  const html = patch.body === undefined ? undefined : renderPostMarkdown(patch.body);
  try {
    return db.transaction((tx) => {
      const current = tx.select().from(posts).where(eq(posts.slug, slug)).get();
      if (!current) throw notFound('Post');
      if (patch.slug && patch.slug !== current.slug && postExists(patch.slug, current.id)) throw slugConflict(patch.slug);
      const now = new Date().toISOString();
      // Publishing a post for the first time stamps it; republishing keeps its original date.
      const publishedAt = patch.publishedAt ?? current.publishedAt ?? (patch.status === 'published' ? now : null);
      const updated = tx
        .update(posts)
        .set({ ...patch, ...(html === undefined ? {} : { html }), publishedAt, updatedAt: now })
        .where(eq(posts.id, current.id))
        .returning()
        .get();
      return toAuthorPost(updated);
    }, WRITE);
  } catch (error) {
    if (isUniqueViolation(error)) throw slugConflict(patch.slug ?? slug);
    throw error;
  }
}

export function deletePost(slug: string): void {
  const result = getDb().delete(posts).where(eq(posts.slug, slug)).run();
  if (result.changes === 0) throw notFound('Post');
}
