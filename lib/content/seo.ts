import type { Metadata } from 'next';
import type { PublishedPost } from '@/lib/content/schemas';
import { postPath } from '@/lib/site/paths';

/** Feed autodiscovery links; every page repeats them because a page's `alternates` replaces the layout's. */
export const FEEDS = {
  'application/rss+xml': '/feed.xml',
  'application/atom+xml': '/atom.xml',
  'application/feed+json': '/feed.json',
} as const;

export function alternates(canonical: string, feeds: Record<string, string> = FEEDS): Metadata['alternates'] {
  return { canonical, types: feeds };
}

/** JSON for a <script type="application/ld+json">, safe to inline: no "</script>" can close it early. */
export function jsonLd(data: object): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

/** A post page's title, description, canonical URL, and Open Graph and Twitter cards. */
export function postMetadata(post: PublishedPost): Metadata {
  const url = postPath(post.slug);
  return {
    title: post.title,
    description: post.summary,
    alternates: alternates(url),
    openGraph: {
      type: 'article',
      title: post.title,
      description: post.summary,
      url,
      publishedTime: post.publishedAt,
      modifiedTime: post.updatedAt,
      tags: post.tags.map((tag) => tag.name),
    },
    twitter: { card: 'summary_large_image', title: post.title, description: post.summary },
  };
}
