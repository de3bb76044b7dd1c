import type { MetadataRoute } from 'next';
import { listSitemapEntries } from '@/lib/posts';
import { absoluteUrl, postPath } from '@/lib/site';

// Read from the database on every request: a post published or deleted a moment ago is reflected.
export const dynamic = 'force-dynamic';

export default function sitemap(): MetadataRoute.Sitemap {
  const entries = listSitemapEntries();
  // The home page changes whenever any post does. ISO strings in UTC compare correctly as text.
  const newest = entries.reduce<string | undefined>((max, post) => (max && max > post.updatedAt ? max : post.updatedAt), undefined);
  return [
    { url: absoluteUrl('/'), lastModified: newest, changeFrequency: 'daily', priority: 1 },
    ...entries.map((post) => ({
      url: absoluteUrl(postPath(post.slug)),
      lastModified: post.updatedAt,
      changeFrequency: 'weekly' as const,
      priority: 0.8,
    })),
  ];
}
