import type { Metadata } from 'next';

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
