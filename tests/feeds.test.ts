import { parseFeed } from '@rowanmanning/feed-parser';
import { DOMParser, type Element } from '@xmldom/xmldom';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { Element as HtmlElement, Root as HtmlRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toText } from 'hast-util-to-text';
import sharp from 'sharp';
import { decode } from 'html-entities';
import { SaxesParser } from 'saxes';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { siteAssets, tags as tagsTable } from '@/db/schema';
import { getEnv } from '@/lib/env';
import { type FeedFormat, feedResponse } from '@/lib/content/feeds';
import { saveUpload } from '@/lib/site/assets';
import jsonFeedSchema from './fixtures/json-feed-1.1.schema.json';
import { listLatestPostsWithHtml, updatePost } from '@/lib/content/posts';
import { absoluteUrlsIn } from '@/lib/render/absolute-urls';
import { tagPath } from '@/lib/content/tags';
import { dialect } from './dialect';
import { clearTables, makePost, resetDatabase } from './helpers';

// Posts written past the API (which strips control characters on both databases) may hold NUL on
// SQLite; PostgreSQL's text cannot hold it at all, so there the stored text lacks it.
const NUL = dialect === 'postgres' ? '' : '\u0000';

const SITE = 'https://blog.example.test';

// The real function, which one test replaces once per call to feed the builder strings SQLite cannot hold.
vi.mock('@/lib/content/posts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/content/posts')>();
  return { ...actual, listLatestPostsWithHtml: vi.fn(actual.listLatestPostsWithHtml) };
});

beforeEach(async () => {
  await resetDatabase();
  // Tags outlive their posts, and a tag keeps the name it was first created with.
  await clearTables(tagsTable, siteAssets);
});

async function fetchFeed(format: FeedFormat, tagSlug?: string): Promise<string> {
  return (await feedResponse(new Request(`${SITE}/feed`), format, tagSlug)).text();
}

/** Throws unless `xml` is well-formed XML 1.0 with bound namespace prefixes (saxes is a conforming, strict parser). */
function assertWellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(xml).close();
}

/**
 * The DOM of a document already known to be well-formed, to read text and attributes exactly. Line
 * ends are normalised as XML 1.0 says (xmldom's default follows XML 1.1 and also rewrites U+0085 and U+2028).
 */
const parseXml = (xml: string) =>
  new DOMParser({ normalizeLineEndings: (input: string) => input.replace(/\r\n?/g, '\n') }).parseFromString(xml, 'text/xml');
const children = (parent: Element, name: string) => Array.from(parent.getElementsByTagName(name));
const child = (parent: Element, name: string) => children(parent, name)[0]!;
/** The text of the named elements, joined: '' where an empty value left the element out. */
const textOf = (parent: Element, name: string) =>
  children(parent, name)
    .map((element) => element.textContent)
    .join('');

/** What an XML document can carry of a string: XML 1.0 characters only. */
const xmlChars = (text: string) => text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
/** ... and in text (not in attributes, where they are character references) line ends as parsers report them. */
const asXmlText = (text: string) => xmlChars(text).replace(/\r\n?/g, '\n');

describe('feeds escape what authors write', () => {
  const title = 'Fish & <Chips> "quoted"';
  const tag = `<script>&"'`;

  it.each(['rss', 'atom'] as const)('%s stays well-formed and a feed reader reads the exact title and tag', async (format) => {
    const post = await makePost({ title, tags: [tag], body: 'Some <b>raw</b> & **bold** text.' });
    const xml = await fetchFeed(format);
    assertWellFormed(xml);
    const [item] = parseFeed(xml).items;
    expect(item?.title).toBe(title);
    expect(item?.categories).toEqual([{ label: tag, term: tag, url: `${SITE}${tagPath(post.tags[0]!.slug)}` }]);
    expect(item?.content).toContain('<strong>bold</strong>');
  });

  it('declares Atom titles and summaries as text and content as HTML', async () => {
    await makePost({ title, summary: 'Use <b> for bold & more.', tags: [tag] });
    const entry = child(parseXml(await fetchFeed('atom')).documentElement!, 'entry');
    expect(child(entry, 'title').getAttribute('type')).toBe('text');
    expect(child(entry, 'title').textContent).toBe(title);
    expect(child(entry, 'summary').getAttribute('type')).toBe('text');
    expect(child(entry, 'summary').textContent).toBe('Use <b> for bold & more.');
    expect(child(entry, 'content').getAttribute('type')).toBe('html');
  });

  it('json carries the same text unchanged', async () => {
    await makePost({ title, tags: [tag] });
    const feed = JSON.parse(await fetchFeed('json'));
    expect(feed.items[0]).toMatchObject({ title, tags: [tag] });
  });

  it('json is JSON Feed 1.1, keeping version 1’s author for the readers that know only that', async () => {
    const { SITE_NAME, SITE_DESCRIPTION, SITE_AUTHOR } = getEnv();
    const post = await makePost({ title: 'Plain', summary: 'Short.', body: 'Body.', tags: ['News', 'Web'] });
    const author = { name: SITE_AUTHOR ?? SITE_NAME, url: `${SITE}/` };
    const feed = JSON.parse(await fetchFeed('json'));
    expect(feed).toStrictEqual({
      version: 'https://jsonfeed.org/version/1.1',
      title: SITE_NAME,
      home_page_url: `${SITE}/`,
      feed_url: `${SITE}/feed.json`,
      description: SITE_DESCRIPTION,
      icon: `${SITE}/apple-icon.png`,
      favicon: `${SITE}/apple-icon.png`,
      language: 'en',
      authors: [author],
      author,
      items: [
        {
          id: post.url,
          content_html: '<p>Body.</p>',
          url: post.url,
          title: 'Plain',
          summary: 'Short.',
          date_modified: post.updatedAt,
          date_published: post.publishedAt,
          authors: [author],
          author,
          tags: ['News', 'Web'],
        },
      ],
    });
    expect(validateJsonFeed(feed), JSON.stringify(validateJsonFeed.errors)).toBe(true);
  });

  it('strips characters XML 1.0 cannot carry instead of breaking the document', async () => {
    const nasty = `a${NUL}b\u0008c\u000Bd\u000Ce\u001Ff\uFFFEg\uFFFFh`;
    const post = await makePost({ title: `T ${nasty}`, tags: [`tag ${nasty}`], body: `Body ${nasty} ]]> end`, summary: `S ${nasty}` });
    expect(post.title).toContain(`a${NUL}b`);
    for (const format of ['rss', 'atom'] as const) {
      const xml = await fetchFeed(format);
      assertWellFormed(xml);
      const [item] = parseFeed(xml).items;
      expect(item?.title, format).toBe('T abcdefgh');
      expect(item?.categories[0]?.label, format).toBe('tag abcdefgh');
      expect(item?.description, format).toBe('S abcdefgh');
      // Markdown itself turns NUL into U+FFFD; the rest of the body arrives as written.
      expect(item?.content, format).toMatch(/Body a\uFFFD?bcdefgh \]\]> end/);
    }
  });

  it('strips lone surrogates, which only a source other than SQLite could hand it', async () => {
    await makePost({ title: 'Placeholder', tags: ['placeholder'] });
    const [stored] = await listLatestPostsWithHtml({ limit: 1 });
    const lone = 'x\uD800y\uDFFFz\uD83D';
    const forged = {
      ...stored!,
      title: `T ${lone}`,
      summary: `S ${lone}`,
      html: `<p>H ${lone}</p>`,
      tags: [{ slug: 'lone', name: `tag ${lone}` }],
    };
    for (const format of ['rss', 'atom'] as const) {
      vi.mocked(listLatestPostsWithHtml).mockResolvedValueOnce([forged]);
      const xml = await fetchFeed(format);
      expect(xml, format).not.toMatch(/\p{Cs}/u);
      assertWellFormed(xml);
      const [item] = parseFeed(xml).items;
      expect([item?.title, item?.description, item?.content, item?.categories[0]?.label], format).toEqual([
        'T xyz',
        'S xyz',
        '<p>H xyz</p>',
        'tag xyz',
      ]);
    }
  });
});

describe('feeds stay well-formed whatever the posts say', () => {
  // Single UTF-16 code units (lone surrogates and control characters included), whole code points,
  // and the fragments that break hand-made XML.
  const fragment = fc.oneof(
    fc.constantFrom('<', '>', '&', '"', "'", ']]>', '<![CDATA[', '&amp;', '&nbsp;', '&#0;', '&#x1F600;', '\r\n', '\r', '\u0085', '\u2028'),
    fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
    fc.integer({ min: 0, max: 0x1f }).map((unit) => String.fromCharCode(unit)),
    fc.string({ unit: 'binary', maxLength: 3 }),
    fc.constantFrom('# ', '*', '`', '[a](b)', '<b>', '\n\n', '    ', 'word'),
  );
  const hostile = (maxLength: number) => fc.array(fragment, { maxLength }).map((parts) => parts.join('').replaceAll('\u0000', NUL));

  it('RSS and Atom parse strictly and round-trip every character XML allows; JSON parses', async () => {
    await fc.assert(
      fc.asyncProperty(hostile(40), fc.array(hostile(12), { maxLength: 3 }), hostile(80), async (title, tags, body) => {
        await resetDatabase();
        await clearTables(tagsTable);
        const post = await makePost({ title, tags, body });

        // The post's HTML as feeds carry it (URLs absolute; tested below), to the character; parsing
        // and writing it out again loses none of its text.
        const html = asXmlText(absoluteUrlsIn(post.html, post.url));
        expect(toText(fromHtml(html, { fragment: true }))).toBe(toText(fromHtml(asXmlText(post.html), { fragment: true })));
        const rss = await fetchFeed('rss');
        assertWellFormed(rss);
        expect(parseFeed(rss).items.map((item) => item.url)).toEqual([post.url]);
        const rssItem = child(parseXml(rss).documentElement!, 'item');
        expect(textOf(rssItem, 'title')).toBe(asXmlText(post.title));
        expect(children(rssItem, 'category').map((c) => c.textContent)).toEqual(post.tags.map((t) => asXmlText(t.name)));
        // RSS readers read the description as HTML: decoded, it is the summary's text again.
        expect(decode(textOf(rssItem, 'description'), { level: 'html5' })).toBe(asXmlText(post.summary));
        expect(textOf(rssItem, 'content:encoded')).toBe(html);

        const atom = await fetchFeed('atom');
        assertWellFormed(atom);
        expect(parseFeed(atom).items.map((item) => item.url)).toEqual([post.url]);
        const entry = child(parseXml(atom).documentElement!, 'entry');
        expect(child(entry, 'title').textContent).toBe(asXmlText(post.title));
        expect(children(entry, 'category').map((c) => c.getAttribute('label'))).toEqual(post.tags.map((t) => xmlChars(t.name)));
        expect(textOf(entry, 'summary')).toBe(asXmlText(post.summary));
        expect(textOf(entry, 'content')).toBe(html);

        const json = JSON.parse(await fetchFeed('json'));
        expect(json.items).toHaveLength(1);
        expect(json.items[0].title ?? '').toBe(post.title);
        expect(json.items[0].tags).toEqual(post.tags.map((t) => t.name).filter(Boolean));
      }),
      { numRuns: 60 },
    );
  }, 30_000);
});

/** JSON Feed 1.1's fields and types (tests/fixtures/json-feed-1.1.schema.json); URLs must be absolute. */
const validateJsonFeed = (() => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  return ajv.compile(jsonFeedSchema);
})();

/** The first item's HTML, as a feed reader gets it from each format. */
const CONTENT_OF: Record<FeedFormat, (feed: string) => string> = {
  rss: (xml) => textOf(child(parseXml(xml).documentElement!, 'item'), 'content:encoded'),
  atom: (xml) => textOf(child(parseXml(xml).documentElement!, 'entry'), 'content'),
  json: (json) => JSON.parse(json).items[0].content_html,
};

/** The attributes of HTML that hold URLs, by hast property name (src and href on every element that has them). */
const URL_PROPERTIES = ['href', 'src', 'srcSet', 'poster', 'cite', 'ping', 'longDesc', 'action', 'data', 'itemId'];

/** Each URL-bearing attribute in an HTML fragment, in document order, as `element property value`. */
function urlAttributesIn(html: string): string[] {
  const found: string[] = [];
  const visit = (node: HtmlRoot | HtmlElement) => {
    for (const child of node.children) {
      if (child.type !== 'element') continue;
      for (const name of URL_PROPERTIES) {
        const value = child.properties[name];
        if (value !== undefined) found.push(`${child.tagName} ${name} ${Array.isArray(value) ? value.join(' ') : String(value)}`);
      }
      visit(child);
    }
  };
  visit(fromHtml(html, { fragment: true }));
  return found;
}

describe('feed content links absolutely, so links and images work in a feed reader', () => {
  it.each(['rss', 'atom', 'json'] as const)('%s: links, images and footnotes of a post point at absolute URLs', async (format) => {
    const post = await makePost({
      title: 'Links',
      body: [
        'Read [the welcome post](/posts/welcome-to-quire), [its neighbour](sibling-post),',
        '[the spec](https://example.org/spec?a=1&b=2#part) or [write](mailto:ada@example.org).[^1]',
        '',
        '![A chart](/site-assets/chart.png)',
        '',
        '[^1]: A note.',
      ].join('\n'),
    });
    const html = CONTENT_OF[format](await fetchFeed(format));
    expect(urlAttributesIn(html)).toEqual([
      `a href ${SITE}/posts/welcome-to-quire`,
      // Relative to the post's own address, as on its page.
      `a href ${SITE}/posts/sibling-post`,
      'a href https://example.org/spec?a=1&b=2#part',
      'a href mailto:ada@example.org',
      // A footnote's link goes to the note on the post's page.
      `a href ${post.url}#user-content-fn-1`,
      `img src ${SITE}/site-assets/chart.png`,
      `a href ${post.url}#user-content-fnref-1`,
    ]);
    expect(html).toContain('A note.');
  });

  it('an edited post’s links change in the feed at once: kept feed HTML follows the stored HTML', async () => {
    const post = await makePost({ title: 'Edited', body: '[before](/before)' });
    await makePost({ title: 'Untouched', body: '[same](/same)' });
    expect(urlAttributesIn(CONTENT_OF.json(await fetchFeed('json')))).toEqual([`a href ${SITE}/same`]);
    expect(urlAttributesIn(JSON.parse(await fetchFeed('json')).items[1].content_html)).toEqual([`a href ${SITE}/before`]);
    await updatePost(post.slug, { body: '[after](after)' });
    const items = JSON.parse(await fetchFeed('json')).items.map((item: { content_html: string }) => urlAttributesIn(item.content_html));
    expect(items).toEqual([[`a href ${SITE}/same`], [`a href ${SITE}/posts/after`]]);
  });

  it.each(['rss', 'atom', 'json'] as const)('%s: every URL attribute of HTML a post may hold is made absolute', async (format) => {
    // HTML no Markdown writes today, as an import or an older renderer may have stored it.
    await makePost({ title: 'Placeholder', slug: 'media' });
    const [stored] = await listLatestPostsWithHtml({ limit: 1 });
    const html = [
      '<p><a href="/a" ping="/ping https://t.example/p">a</a> <a href="//cdn.example/x">b</a> <a href="">c</a> <a href="?page=2">d</a></p>',
      '<picture><source srcset="/img/wide.webp 1200w, /img/narrow,small.webp 600w" type="image/webp">',
      '<img src="img/photo.jpg" srcset="/img/photo.jpg, photo@2x.jpg 2x" alt="Photo" longdesc="/about-photo"></picture>',
      '<video src="/media/clip.mp4" poster="/media/poster.jpg"><track src="/media/captions.vtt"></video>',
      '<audio src="sound.mp3"></audio><blockquote cite="/sources/quote"><p>Q</p></blockquote>',
      '<img src="data:image/png;base64,AAAA" alt="">',
    ].join('');
    vi.mocked(listLatestPostsWithHtml).mockResolvedValueOnce([{ ...stored!, html }]);
    const page = `${SITE}/posts/media`;
    expect(urlAttributesIn(CONTENT_OF[format](await fetchFeed(format)))).toEqual([
      `a href ${SITE}/a`,
      `a ping ${SITE}/ping https://t.example/p`,
      'a href https://cdn.example/x',
      `a href ${page}`,
      `a href ${page}?page=2`,
      `source srcSet ${SITE}/img/wide.webp 1200w, ${SITE}/img/narrow,small.webp 600w`,
      `img src ${SITE}/posts/img/photo.jpg`,
      `img srcSet ${SITE}/img/photo.jpg, ${SITE}/posts/photo@2x.jpg 2x`,
      `img longDesc ${SITE}/about-photo`,
      `video src ${SITE}/media/clip.mp4`,
      `video poster ${SITE}/media/poster.jpg`,
      `track src ${SITE}/media/captions.vtt`,
      `audio src ${SITE}/posts/sound.mp3`,
      `blockquote cite ${SITE}/sources/quote`,
      'img src data:image/png;base64,AAAA',
    ]);
  });
});

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 20, g: 90, b: 160, alpha: 1 } } })
    .png()
    .toBuffer();

/** The images each format names for the blog: RSS's <image>, Atom's <icon> and <logo>, JSON Feed's icon and favicon. */
async function feedImages() {
  const rss = await fetchFeed('rss');
  const atom = await fetchFeed('atom');
  const json = JSON.parse(await fetchFeed('json'));
  for (const xml of [rss, atom]) assertWellFormed(xml);
  const image = child(child(parseXml(rss).documentElement!, 'channel'), 'image');
  const atomFeed = parseXml(atom).documentElement!;
  expect(validateJsonFeed(json), JSON.stringify(validateJsonFeed.errors)).toBe(true);
  return {
    rss: { url: textOf(image, 'url'), title: textOf(image, 'title'), link: textOf(image, 'link') },
    readerSees: { rss: parseFeed(rss).image, atom: parseFeed(atom).image },
    atom: { icon: textOf(atomFeed, 'icon'), logo: textOf(atomFeed, 'logo') },
    json: { icon: json.icon, favicon: json.favicon },
  };
}

describe('feeds name the blog’s icon and logo', () => {
  it('Quire’s own icon until the author uploads one', async () => {
    const { SITE_NAME } = getEnv();
    await makePost();
    const icon = `${SITE}/apple-icon.png`;
    expect(await feedImages()).toEqual({
      rss: { url: icon, title: SITE_NAME, link: `${SITE}/` },
      readerSees: { rss: { url: icon, title: SITE_NAME }, atom: { url: icon, title: null } },
      atom: { icon, logo: icon },
      json: { icon, favicon: icon },
    });
  });

  it('the uploaded icon, and the uploaded logo where a feed has room for one', async () => {
    const { SITE_NAME } = getEnv();
    await makePost();
    const icon = `${SITE}${(await saveUpload('icon', await png(256, 256))).url}`;
    expect((await feedImages()).atom).toEqual({ icon, logo: icon });
    const logo = `${SITE}${(await saveUpload('logo', await png(400, 100))).url}`;
    expect(icon).toMatch(/\/site-assets\/icon-[\w-]{16}\.png$/);
    expect(logo).toMatch(/\/site-assets\/logo-[\w-]{16}\.png$/);
    expect(await feedImages()).toEqual({
      // RSS's <image> is shown small and square by most readers: the icon.
      rss: { url: icon, title: SITE_NAME, link: `${SITE}/` },
      readerSees: { rss: { url: icon, title: SITE_NAME }, atom: { url: logo, title: null } },
      atom: { icon, logo },
      json: { icon, favicon: icon },
    });
  });

  it('a tag’s feed names them too', async () => {
    const post = await makePost({ tags: ['News'] });
    const image = child(child(parseXml(await fetchFeed('rss', post.tags[0]!.slug)).documentElement!, 'channel'), 'image');
    expect(textOf(image, 'url')).toBe(`${SITE}/apple-icon.png`);
    expect(textOf(image, 'link')).toBe(`${SITE}${tagPath(post.tags[0]!.slug)}`);
  });
});
