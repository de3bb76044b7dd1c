import { Feed } from 'feed';
import { getEnv } from '@/lib/env';
import { notFound } from '@/lib/errors';
import { cachedResponse } from '@/lib/http';
import { listLatestPostsWithHtml } from '@/lib/posts';
import { absoluteUrl } from '@/lib/site';
import { getTag, tagPath } from '@/lib/tags';

export type FeedFormat = 'rss' | 'atom' | 'json';

const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** The latest 20 posts, whole, with absolute links; `tagSlug` narrows it to one tag. */
function buildFeed(tagSlug?: string): Feed {
  const { SITE_NAME, SITE_DESCRIPTION, SITE_AUTHOR } = getEnv();
  const tag = tagSlug === undefined ? undefined : getTag(tagSlug);
  if (tagSlug !== undefined && !tag) throw notFound('Tag');
  const posts = listLatestPostsWithHtml({ limit: 20, tag: tag?.slug });
  const home = absoluteUrl(tag ? tagPath(tag.slug) : '/');
  const author = { name: SITE_AUTHOR ?? SITE_NAME, link: absoluteUrl('/') };
  const feed = new Feed({
    id: home,
    link: home,
    title: tag ? `${SITE_NAME}: posts tagged “${tag.name}”` : SITE_NAME,
    description: tag ? `Posts tagged “${tag.name}” on ${SITE_NAME}.` : SITE_DESCRIPTION,
    language: 'en',
    generator: 'Quire',
    copyright: `© ${SITE_NAME}`,
    updated: new Date(
      posts.reduce((newest, post) => (post.updatedAt > newest ? post.updatedAt : newest), posts[0]?.updatedAt ?? new Date(0).toISOString()),
    ),
    feedLinks: tag
      ? { rss: absoluteUrl(`${tagPath(tag.slug)}/feed.xml`) }
      : { rss: absoluteUrl('/feed.xml'), atom: absoluteUrl('/atom.xml'), json: absoluteUrl('/feed.json') },
    author,
  });
  for (const post of posts) {
    feed.addItem({
      id: post.url,
      link: post.url,
      title: post.title,
      description: post.summary,
      content: post.html,
      date: new Date(post.updatedAt),
      published: new Date(post.publishedAt),
      author: [author],
      category: post.tags.map((t) => ({ name: t.name, domain: absoluteUrl(tagPath(t.slug)) })),
    });
  }
  return feed;
}

/** A feed, built once and then served from the cache until a post changes. */
export function feedResponse(request: Request, format: FeedFormat, tagSlug?: string): Promise<Response> {
  return cachedResponse(request, { key: ['feed', format, tagSlug], tags: [], contentType: CONTENT_TYPES[format] }, () => {
    const feed = buildFeed(tagSlug);
    return format === 'rss' ? feed.rss2() : format === 'atom' ? feed.atom1() : feed.json1();
  });
}
