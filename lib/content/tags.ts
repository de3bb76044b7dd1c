import { type SQL, and, count, eq, lte, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { postTags, posts, tags } from '@/db/schema';
import { absoluteUrl } from '@/lib/site/absolute-url';
import type { TagSummary } from '@/lib/content/schemas';

export const tagPath = (slug: string) => `/tags/${slug}`;

/** Tags with at least one live post and their post counts, in one grouped query. */
async function queryTags(filter?: SQL): Promise<TagSummary[]> {
  const now = new Date().toISOString();
  const rows = await getDb()
    .select({ slug: tags.slug, name: tags.name, postCount: count() })
    .from(tags)
    .innerJoin(postTags, eq(postTags.tagId, tags.id))
    .innerJoin(posts, and(eq(posts.id, postTags.postId), eq(posts.status, 'published'), lte(posts.publishedAt, now)))
    .where(filter)
    .groupBy(tags.id)
    // By name, ignoring case (SQLite's lower() folds ASCII only, as COLLATE NOCASE does).
    .orderBy(sql`lower(${tags.name})`);
  return rows.map((tag) => ({ ...tag, url: absoluteUrl(tagPath(tag.slug)) }));
}

export const listTags = () => queryTags();

export const getTag = async (slug: string): Promise<TagSummary | undefined> => (await queryTags(eq(tags.slug, slug)))[0];
