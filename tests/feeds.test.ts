import { parseFeed } from '@rowanmanning/feed-parser';
import { DOMParser, type Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { decode } from 'html-entities';
import { SaxesParser } from 'saxes';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tags as tagsTable } from '@/db/schema';
import { getEnv } from '@/lib/env';
import { type FeedFormat, feedResponse } from '@/lib/content/feeds';
import { listLatestPostsWithHtml } from '@/lib/content/posts';
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
  await clearTables(tagsTable);
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

  it('json keeps the fields and shape of JSON Feed version 1 it always had', async () => {
    const { SITE_NAME, SITE_DESCRIPTION, SITE_AUTHOR } = getEnv();
    const post = await makePost({ title: 'Plain', summary: 'Short.', body: 'Body.', tags: ['News', 'Web'] });
    const author = { name: SITE_AUTHOR ?? SITE_NAME, url: `${SITE}/` };
    expect(JSON.parse(await fetchFeed('json'))).toStrictEqual({
      version: 'https://jsonfeed.org/version/1',
      title: SITE_NAME,
      home_page_url: `${SITE}/`,
      feed_url: `${SITE}/feed.json`,
      description: SITE_DESCRIPTION,
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
          author,
          tags: ['News', 'Web'],
        },
      ],
    });
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

        const rss = await fetchFeed('rss');
        assertWellFormed(rss);
        expect(parseFeed(rss).items.map((item) => item.url)).toEqual([post.url]);
        const rssItem = child(parseXml(rss).documentElement!, 'item');
        expect(textOf(rssItem, 'title')).toBe(asXmlText(post.title));
        expect(children(rssItem, 'category').map((c) => c.textContent)).toEqual(post.tags.map((t) => asXmlText(t.name)));
        // RSS readers read the description as HTML: decoded, it is the summary's text again.
        expect(decode(textOf(rssItem, 'description'), { level: 'html5' })).toBe(asXmlText(post.summary));
        expect(textOf(rssItem, 'content:encoded')).toBe(asXmlText(post.html));

        const atom = await fetchFeed('atom');
        assertWellFormed(atom);
        expect(parseFeed(atom).items.map((item) => item.url)).toEqual([post.url]);
        const entry = child(parseXml(atom).documentElement!, 'entry');
        expect(child(entry, 'title').textContent).toBe(asXmlText(post.title));
        expect(children(entry, 'category').map((c) => c.getAttribute('label'))).toEqual(post.tags.map((t) => xmlChars(t.name)));
        expect(textOf(entry, 'summary')).toBe(asXmlText(post.summary));
        expect(textOf(entry, 'content')).toBe(asXmlText(post.html));

        const json = JSON.parse(await fetchFeed('json'));
        expect(json.items).toHaveLength(1);
        expect(json.items[0].title ?? '').toBe(post.title);
        expect(json.items[0].tags).toEqual(post.tags.map((t) => t.name).filter(Boolean));
      }),
      { numRuns: 60 },
    );
  }, 30_000);
});
