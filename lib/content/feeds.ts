import { createHash } from 'node:crypto';
import { toHtml } from 'hast-util-to-html';
import { type Document, DOMImplementation, type Element, XMLSerializer } from '@xmldom/xmldom';
import { getSiteIdentity } from '@/lib/site/identity';
import { notFound } from '@/lib/errors';
import { removeCodeHighlighting } from '@/lib/render/code-highlight';
import { absoluteUrlsIn } from '@/lib/render/absolute-urls';
import { DEFAULT_ICON } from '@/lib/site/assets';
import { cachedResponse } from '@/lib/http';
import { listLatestPostsWithHtml } from '@/lib/content/posts';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { getTag, tagPath } from '@/lib/content/tags';

export type FeedFormat = 'rss' | 'atom' | 'json';

const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

const GENERATOR = 'Quire';
const LANGUAGE = 'en';

interface Feed {
  /** The page the feed follows: the home page or a tag page. Also the feed's id. */
  home: string;
  title: string;
  description: string;
  copyright: string;
  updated: string;
  author: { name: string; url: string };
  /** Absolute URLs of the blog's images: a square icon, and a logo (the icon when none is uploaded). */
  icon: string;
  logo: string;
  /** Where each format of this feed lives; a tag feed exists only as RSS. */
  links: Partial<Record<FeedFormat, string>>;
  items: {
    url: string;
    title: string;
    /** Plain text. */
    summary: string;
    /** Every URL in it absolute. */
    html: string;
    updated: string;
    published: string;
    tags: { name: string; url: string }[];
  }[];
}

/** The latest 20 posts, whole, with absolute links; `tagSlug` narrows it to one tag. */
async function loadFeed(tagSlug?: string): Promise<Feed> {
  const { name: siteName, description, authorName, icon, logo } = await getSiteIdentity();
  const tag = tagSlug === undefined ? undefined : await getTag(tagSlug);
  if (tagSlug !== undefined && !tag) throw notFound('Tag');
  const posts = await listLatestPostsWithHtml({ limit: 20, tag: tag?.slug });
  const iso = (time: string) => new Date(time).toISOString();
  return {
    home: absoluteUrl(tag ? tagPath(tag.slug) : '/'),
    title: tag ? `${siteName}: posts tagged “${tag.name}”` : siteName,
    description: tag ? `Posts tagged “${tag.name}” on ${siteName}.` : description,
    copyright: `© ${siteName}`,
    updated: iso(
      posts.reduce((newest, post) => (post.updatedAt > newest ? post.updatedAt : newest), posts[0]?.updatedAt ?? new Date(0).toISOString()),
    ),
    author: { name: authorName, url: absoluteUrl('/') },
    icon: absoluteUrl((icon ?? DEFAULT_ICON).url),
    logo: absoluteUrl((logo ?? icon ?? DEFAULT_ICON).url),
    links: tag
      ? { rss: absoluteUrl(`${tagPath(tag.slug)}/feed.xml`) }
      : { rss: absoluteUrl('/feed.xml'), atom: absoluteUrl('/atom.xml'), json: absoluteUrl('/feed.json') },
    items: posts.map((post) => ({
      url: post.url,
      title: post.title,
      summary: post.summary,
      html: feedHtml(post),
      updated: iso(post.updatedAt),
      published: iso(post.publishedAt),
      tags: post.tags.map((t) => ({ name: t.name, url: absoluteUrl(tagPath(t.slug)) })),
    })),
  };
}

/** Feed HTML of the posts feeds showed last, by post URL, with a digest of the stored HTML it came from. */
const feedHtmlCache = new Map<string, { digest: string; html: string }>();
/** The latest 20 posts and those of a few tag feeds; at most a few MB even for long posts. */
const FEED_HTML_CACHE_SIZE = 100;

/**
 * A post's HTML as a feed reader needs it, away from the post's page: every URL absolute (against the
 * post's address, so `#fn-1` reaches the note), and plain <pre><code>, since a reader shows no site
 * CSS and the token spans would be dead weight. Parsing takes milliseconds per post, and any write
 * expires every feed (lib/cache.ts), so each post's result is kept until its stored HTML changes:
 * a rebuilt feed parses only the posts that did.
 */
function feedHtml(post: { html: string; url: string }): string {
  // UTF-16 code units, not UTF-8: two texts that differ only in lone surrogates keep different digests.
  const digest = createHash('sha1').update(post.html, 'utf16le').digest('base64url');
  const kept = feedHtmlCache.get(post.url);
  feedHtmlCache.delete(post.url);
  const html = kept?.digest === digest ? kept.html : absoluteUrlsIn(removeCodeHighlighting(post.html), post.url);
  feedHtmlCache.set(post.url, { digest, html });
  if (feedHtmlCache.size > FEED_HTML_CACHE_SIZE) feedHtmlCache.delete(feedHtmlCache.keys().next().value!);
  return html;
}

/*
 * RSS and Atom are built as DOM trees and serialised by @xmldom/xmldom, which escapes every text
 * node and attribute value itself; nothing here writes markup by hand.
 */

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';
const DC_NS = 'http://purl.org/dc/elements/1.1/';

/** RSS readers read `<description>` as HTML: plain text goes in as HTML text, so `<b>` stays text. */
const asHtml = (text: string) => toHtml({ type: 'text', value: text });
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/**
 * Characters that XML 1.0 cannot carry at all, escaped or not (most C0 controls, U+FFFE, U+FFFF,
 * lone surrogates). The API's schemas drop control characters but not U+FFFE/U+FFFF, and not every
 * post comes through them (imports, scripts), so a feed drops them itself rather than break.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlChars = (text: string) => text.replace(NOT_XML_CHAR, '');

type Child = Element | string | null;

/** Makes elements of one namespace in `doc`; strings become (escaped) text nodes, nulls are left out. */
function elementsOf(doc: Document, namespace: string | null) {
  return (name: string, attributes: Record<string, string>, ...children: Child[]): Element => {
    const element = doc.createElementNS(namespace, name);
    for (const [attribute, value] of Object.entries(attributes)) element.setAttribute(attribute, xmlChars(value));
    for (const child of children) {
      if (child !== null) element.appendChild(typeof child === 'string' ? doc.createTextNode(xmlChars(child)) : child);
    }
    return element;
  };
}

function serialize(build: (doc: Document) => Element): string {
  const doc = new DOMImplementation().createDocument(null, '');
  doc.appendChild(build(doc));
  return `<?xml version="1.0" encoding="utf-8"?>\n${new XMLSerializer().serializeToString(doc)}`;
}

const httpDate = (iso: string) => new Date(iso).toUTCString();

function toRss(feed: Feed): string {
  return serialize((doc) => {
    const rss = elementsOf(doc, null);
    const atom = elementsOf(doc, ATOM_NS);
    const content = elementsOf(doc, CONTENT_NS);
    const dc = elementsOf(doc, DC_NS);
    const root = rss(
      'rss',
      { version: '2.0' },
      rss(
        'channel',
        {},
        rss('title', {}, feed.title),
        rss('link', {}, feed.home),
        rss('description', {}, asHtml(feed.description)),
        rss('lastBuildDate', {}, httpDate(feed.updated)),
        rss('docs', {}, 'https://validator.w3.org/feed/docs/rss2.html'),
        rss('generator', {}, GENERATOR),
        rss('language', {}, LANGUAGE),
        rss('copyright', {}, feed.copyright),
        // Readers show it small beside the feed's name: the square icon. Its title and link are the channel's, as RSS asks.
        rss('image', {}, rss('url', {}, feed.icon), rss('title', {}, feed.title), rss('link', {}, feed.home)),
        feed.links.rss ? atom('atom:link', { href: feed.links.rss, rel: 'self', type: 'application/rss+xml' }) : null,
        ...feed.items.map((item) =>
          rss(
            'item',
            {},
            item.title ? rss('title', {}, item.title) : null,
            rss('link', {}, item.url),
            rss('guid', { isPermaLink: 'true' }, item.url),
            rss('pubDate', {}, httpDate(item.published)),
            item.summary ? rss('description', {}, asHtml(item.summary)) : null,
            item.html ? content('content:encoded', {}, item.html) : null,
            // RSS's own <author> must be an email address; a name goes in Dublin Core's creator.
            dc('dc:creator', {}, feed.author.name),
            ...item.tags.map((tag) => rss('category', { domain: tag.url }, tag.name)),
          ),
        ),
      ),
    );
    root.setAttributeNS(XMLNS_NS, 'xmlns:content', CONTENT_NS);
    root.setAttributeNS(XMLNS_NS, 'xmlns:dc', DC_NS);
    root.setAttributeNS(XMLNS_NS, 'xmlns:atom', ATOM_NS);
    return root;
  });
}

function toAtom(feed: Feed): string {
  return serialize((doc) => {
    const atom = elementsOf(doc, ATOM_NS);
    const author = () => atom('author', {}, atom('name', {}, feed.author.name), atom('uri', {}, feed.author.url));
    const root = atom(
      'feed',
      {},
      atom('id', {}, feed.home),
      atom('title', { type: 'text' }, feed.title),
      atom('updated', {}, feed.updated),
      atom('generator', {}, GENERATOR),
      author(),
      atom('link', { rel: 'alternate', href: feed.home }),
      feed.links.atom ? atom('link', { rel: 'self', href: feed.links.atom }) : null,
      feed.description ? atom('subtitle', { type: 'text' }, feed.description) : null,
      atom('rights', { type: 'text' }, feed.copyright),
      atom('icon', {}, feed.icon),
      atom('logo', {}, feed.logo),
      ...feed.items.map((item) =>
        atom(
          'entry',
          {},
          // Titles and summaries are plain text; the post's HTML goes in as text and is escaped once.
          atom('title', { type: 'text' }, item.title),
          atom('id', {}, item.url),
          atom('link', { rel: 'alternate', href: item.url }),
          atom('updated', {}, item.updated),
          item.summary ? atom('summary', { type: 'text' }, item.summary) : null,
          item.html ? atom('content', { type: 'html' }, item.html) : null,
          author(),
          ...item.tags.map((tag) => atom('category', { term: tag.name, label: tag.name, scheme: tag.url })),
          atom('published', {}, item.published),
        ),
      ),
    );
    root.setAttributeNS(XML_NS, 'xml:lang', LANGUAGE);
    return root;
  });
}

/**
 * JSON Feed 1.1; JSON.stringify leaves out undefined fields. Version 1's `author` stays beside
 * `authors`, as 1.1 allows, for the readers that know only version 1 (the `feed` package wrote it).
 * `favicon` should be at least 64 px square, so both name the 180 px icon, not the 32 px favicon.
 */
function toJsonFeed(feed: Feed): string {
  const author = { name: feed.author.name, url: feed.author.url };
  return JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: feed.title,
      home_page_url: feed.home,
      feed_url: feed.links.json,
      description: feed.description || undefined,
      icon: feed.icon,
      favicon: feed.icon,
      language: LANGUAGE,
      authors: [author],
      author,
      items: feed.items.map((item) => ({
        id: item.url,
        content_html: item.html,
        url: item.url,
        title: item.title || undefined,
        summary: item.summary && item.html ? item.summary : undefined,
        date_modified: item.updated,
        date_published: item.published,
        authors: [author],
        author,
        tags: item.tags.map((tag) => tag.name).filter(Boolean),
      })),
    },
    null,
    4,
  );
}

const RENDER: Record<FeedFormat, (feed: Feed) => string> = { rss: toRss, atom: toAtom, json: toJsonFeed };

/** A feed, built once and then served from the cache until a post changes. */
export function feedResponse(request: Request, format: FeedFormat, tagSlug?: string): Promise<Response> {
  return cachedResponse(request, { key: ['feed', format, tagSlug ?? null], tags: [], contentType: CONTENT_TYPES[format] }, async () =>
    RENDER[format](await loadFeed(tagSlug)),
  );
}
