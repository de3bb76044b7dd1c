import { type SQL, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { absoluteUrl } from '@/lib/site/paths';
import type { TagSummary } from '@/lib/content/schemas';

export const tagPath = (slug: string) => `/tags/${slug}`;

/** Tags with at least one live post and their post counts, in one grouped query. */
function queryTags(filter: SQL = sql`1`): TagSummary[] {
  const now = new Date().toISOString();
  return getDb()
    .all<Omit<TagSummary, 'url'>>(
      sql`SELECT t.slug, t.name, count(*) AS postCount
        FROM tags t
        JOIN post_tags pt ON pt.tag_id = t.id
        JOIN posts p ON p.id = pt.post_id AND p.status = 'published' AND p.published_at <= ${now}
        WHERE ${filter}
        GROUP BY t.id
        ORDER BY t.name COLLATE NOCASE`,
    )
    .map((tag) => ({ ...tag, url: absoluteUrl(tagPath(tag.slug)) }));
}

export const listTags = () => queryTags();

export const getTag = (slug: string): TagSummary | undefined => queryTags(sql`t.slug = ${slug}`)[0];
