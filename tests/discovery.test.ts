import { Readable } from 'node:stream';
import { SitemapStream, streamToPromise } from 'sitemap';
import { parseFeed } from '@rowanmanning/feed-parser';
import { beforeEach, describe, expect, it } from 'vitest';
import * as searchRoute from '@/app/api/search/route';
import * as tagsRoute from '@/app/api/tags/route';
import * as postsRoute from '@/app/api/posts/route';
import { eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { posts } from '@/db/schema';
import { createComment } from '@/lib/comments/submission';
import { feedResponse } from '@/lib/content/feeds';
import { getAdjacentPosts, listPublishedPosts, readingMinutes, updatePost } from '@/lib/content/posts';
import { indexMissingPosts, searchPosts } from '@/lib/content/search';
import { toFtsQuery } from '@/lib/content/search/sqlite';
import { updateCommentSettings } from '@/lib/comments/settings';
import {
  SHARD_SIZE,
  URLSET_CLOSE,
  URLSET_OPEN,
  listShards,
  sitemapIndexResponse,
  sitemapShardResponse,
  urlElement,
} from '@/lib/content/sitemaps';
import { getTag, listTags } from '@/lib/content/tags';
import { call, insertPublishedPosts, makeComment, makePost, removeFromSearchIndex, resetDatabase } from './helpers';

beforeEach(resetDatabase);

const slugsOf = (page: { data: { slug: string }[] }) => page.data.map((post) => post.slug);

describe('toFtsQuery', () => {
  it.each([
    ['sqlite', '"sqlite"*'],
    ['sqlite ', '"sqlite"'],
    ['fast sqli', '"fast" "sqli"*'],
    ['"one file" backup', '"one file" "backup"*'],
    ['sqlite -markdown', '"sqlite" NOT "markdown"'],
    ['AND OR NOT', '"AND" "OR" "NOT"*'],
    ['c++ (x*)', '"c" "x"*'],
    ['café', '"café"*'],
  ])('%j becomes %j', (input, query) => {
    expect(toFtsQuery(input)).toBe(query);
  });

  it.each(['', '   ', '"', '*', '-', '""', '-word', '()', '^', ':'])('%j matches nothing rather than failing', (input) => {
    expect(toFtsQuery(input)).toBeNull();
  });
});

describe('full-text search', () => {
  it('ranks title matches above body matches, prefixes, phrases and exclusions', async () => {
    await makePost({ slug: 'body', title: 'Notes', body: 'A long text that mentions sqlite once.' });
    await makePost({ slug: 'title', title: 'SQLite tips', body: 'Short.' });
    await makePost({ slug: 'tagged', title: 'Elsewhere', body: 'Nothing.', tags: ['SQLite'] });
    expect(slugsOf(await searchPosts('sqlite', { limit: 10 }))).toEqual(['title', 'tagged', 'body']);
    expect(slugsOf(await searchPosts('sqli', { limit: 10 }))).toHaveLength(3);
    expect(slugsOf(await searchPosts('"mentions sqlite"', { limit: 10 }))).toEqual(['body']);
    expect(slugsOf(await searchPosts('sqlite -tips', { limit: 10 }))).not.toContain('title');
  });

  it('finds only live posts and follows edits', async () => {
    await makePost({ slug: 'draft', title: 'Hidden draft', status: 'draft' });
    await makePost({
      slug: 'later',
      title: 'Hidden future',
      status: 'scheduled',
      publishedAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const live = await makePost({ slug: 'live', title: 'Visible' });
    expect(slugsOf(await searchPosts('hidden', { limit: 10 }))).toEqual([]);
    await updatePost(live.slug, { title: 'Renamed entirely' });
    expect(slugsOf(await searchPosts('visible', { limit: 10 }))).toEqual([]);
    expect(slugsOf(await searchPosts('renamed', { limit: 10 }))).toEqual(['live']);
  });

  it('keeps the text of a body that an edit leaves alone, and indexes the new text of one it changes', async () => {
    const post = await makePost({ slug: 'kept', title: 'Notes', summary: 'A note.', body: 'All about **pelicans**.' });
    await updatePost(post.slug, { title: 'Birds', tags: ['Nature'] });
    expect(slugsOf(await searchPosts('pelicans', { limit: 10 }))).toEqual(['kept']);
    expect(slugsOf(await searchPosts('nature', { limit: 10 }))).toEqual(['kept']);
    await updatePost(post.slug, { body: 'Now about *herons*.' });
    expect(slugsOf(await searchPosts('pelicans', { limit: 10 }))).toEqual([]);
    expect(slugsOf(await searchPosts('herons', { limit: 10 }))).toEqual(['kept']);
  });

  it('escapes snippets and marks the matches', async () => {
    // Raw HTML is not prose and stays out of the index; as code it is text, and must come out escaped.
    await makePost({ title: 'Escaping', body: 'Beware of `<script>alert(1)</script>` in the word needle here.' });
    const [result] = (await searchPosts('needle', { limit: 10 })).data;
    expect(result!.snippet).toContain('<mark>needle</mark>');
    expect(result!.snippet).not.toContain('<script');
    expect(result!.snippet).toContain('&lt;script');
  });

  it('pages through results', async () => {
    for (let i = 0; i < 5; i++) await makePost({ title: `Paging ${i}` });
    const first = await searchPosts('paging', { limit: 3 });
    expect(first.data).toHaveLength(3);
    const second = await searchPosts('paging', { limit: 3, cursor: first.nextCursor! });
    expect(second.data).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...slugsOf(first), ...slugsOf(second)]).size).toBe(5);
  });

  it('answers any input over HTTP without an error', async () => {
    await makePost({ title: 'Something searchable' });
    const inputs = [
      '"',
      '*',
      'AND',
      '-',
      'NOT NOT',
      '"unclosed',
      'a"b"c',
      'x OR',
      '(',
      ')',
      'NEAR(a b)',
      'col:val',
      '^start',
      '\u0000',
      '🙂',
      'ß'.repeat(200),
    ];
    for (const q of inputs) {
      const response = await call(searchRoute.GET, { path: `/api/search?q=${encodeURIComponent(q)}` });
      expect(response.status, q).toBe(200);
    }
    expect((await call(searchRoute.GET, { path: '/api/search' })).status).toBe(400);
  });

  it('indexes posts that are missing from the index', async () => {
    const post = await makePost({ title: 'Reindexed' });
    await removeFromSearchIndex(post.id);
    expect(slugsOf(await searchPosts('reindexed', { limit: 10 }))).toEqual([]);
    expect(await indexMissingPosts()).toBe(1);
    expect(slugsOf(await searchPosts('reindexed', { limit: 10 }))).toEqual([post.slug]);
  });
});

describe('tags', () => {
  it('lists tags with live post counts and filters posts by tag', async () => {
    await makePost({ slug: 'a', tags: ['SQLite', 'Web'] });
    await makePost({ slug: 'b', tags: ['sqlite'] });
    await makePost({ slug: 'c', tags: ['Web'], status: 'draft' });
    expect((await listTags()).map(({ slug, name, postCount }) => [slug, name, postCount])).toEqual([
      ['sqlite', 'SQLite', 2],
      ['web', 'Web', 1],
    ]);
    expect((await getTag('web'))?.postCount).toBe(1);
    expect(await getTag('nope')).toBeUndefined();
    expect(slugsOf(await listPublishedPosts({ limit: 10, tag: 'sqlite' })).sort()).toEqual(['a', 'b']);
    const api = await (await call(postsRoute.GET, { path: '/api/posts?tag=web' })).json();
    expect(slugsOf(api)).toEqual(['a']);
    const tags = await (await call(tagsRoute.GET)).json();
    expect(tags).toEqual({
      data: expect.arrayContaining([expect.objectContaining({ slug: 'web', url: 'https://blog.example.test/tags/web' })]),
      nextCursor: null,
    });
  });
});

describe('posts: reading time and neighbours', () => {
  it('counts words at write time and links to the previous and next post', async () => {
    const old = await makePost({ slug: 'old', publishedAt: '2026-01-01T00:00:00.000Z', body: 'word '.repeat(690) });
    const mid = await makePost({ slug: 'mid', publishedAt: '2026-02-01T00:00:00.000Z' });
    await makePost({ slug: 'new', publishedAt: '2026-03-01T00:00:00.000Z' });
    expect(old.wordCount).toBe(690);
    expect(readingMinutes(690)).toBe(3);
    expect(readingMinutes(3)).toBe(1);
    expect(await getAdjacentPosts({ id: mid.id, publishedAt: mid.publishedAt! })).toEqual({
      previous: { slug: 'old', title: old.title },
      next: { slug: 'new', title: expect.any(String) },
    });
  });
});

describe('feeds', () => {
  it.each(['rss', 'atom', 'json'] as const)('%s parses with a feed reader’s parser and carries full posts', async (format) => {
    const post = await makePost({ title: 'Feed me', body: 'Some **HTML** content.', tags: ['News'] });
    await makePost({ title: 'Draft', status: 'draft' });
    const response = await feedResponse(new Request('https://blog.example.test/feed'), format);
    expect(response.headers.get('content-type')).toMatch(format === 'json' ? /application\/feed\+json/ : /xml/);
    const body = await response.text();
    const feed = format === 'json' ? JSON.parse(body) : parseFeed(body);
    const items = format === 'json' ? feed.items : feed.items;
    expect(items).toHaveLength(1);
    const item = items[0];
    expect(format === 'json' ? item.url : item.url).toBe(`https://blog.example.test/posts/${post.slug}`);
    expect(format === 'json' ? item.content_html : item.content).toContain('<strong>HTML</strong>');
  });

  it('has per-tag feeds and 404 for unknown tags', async () => {
    await makePost({ title: 'Tagged', tags: ['News'] });
    await makePost({ title: 'Untagged' });
    const feed = parseFeed(await (await feedResponse(new Request('https://blog.example.test/feed'), 'rss', 'news')).text());
    expect(feed.items.map((item) => item.title)).toEqual(['Tagged']);
    await expect(feedResponse(new Request('https://blog.example.test/feed'), 'rss', 'nope')).rejects.toThrow(/Tag was not found/);
  });
});

describe('sitemaps', () => {
  it('shard posts by id range, at most 50,000 URLs each, streamed', async () => {
    const first = await makePost({ slug: 'first', tags: ['T'] });
    // A post far along the id range lands in the second shard.
    const far = await makePost({ slug: 'far' });
    await transaction((tx) =>
      tx
        .update(posts)
        .set({ id: SHARD_SIZE + 5 })
        .where(eq(posts.id, far.id)),
    );
    expect(first.id).toBeLessThanOrEqual(SHARD_SIZE);
    const shards = (await listShards()).map((item) => new URL(item.url).pathname);
    expect(shards).toEqual(['/sitemaps/pages.xml', '/sitemaps/posts-1.xml', '/sitemaps/posts-2.xml', '/sitemaps/tags-1.xml']);
    const index = await (await sitemapIndexResponse(new Request('https://blog.example.test/sitemap.xml'))).text();
    expect(index).toContain('<sitemapindex');
    const second = await (await sitemapShardResponse('posts-2.xml')).text();
    expect(second).toContain('<loc>https://blog.example.test/posts/far</loc>');
    expect(second).not.toContain('/posts/first<');
    await expect(sitemapShardResponse('posts-3.xml')).rejects.toThrow(/not found/);
    await expect(sitemapShardResponse('../etc/passwd')).rejects.toThrow(/not found/);
  });

  it('writes shards byte for byte as the sitemap package does', async () => {
    await makePost({ slug: 'one', tags: ['Cooking & baking'] });
    await makePost({ slug: 'two' });
    const sitemapPackage = (items: object[]) =>
      streamToPromise(
        Readable.from(items).pipe(
          new SitemapStream({ hostname: 'https://blog.example.test', xmlns: { news: false, video: false, xhtml: false, image: false } }),
        ),
      ).then(String);
    const rows = await getDb()
      .select({ slug: posts.slug, lastmod: posts.updatedAt })
      .from(posts)
      .where(eq(posts.status, 'published'))
      .orderBy(posts.id);
    const items = rows.map(({ slug, lastmod }) => ({
      url: `https://blog.example.test/posts/${slug}`,
      lastmod,
      changefreq: 'weekly',
      priority: 0.8,
    }));
    expect(await (await sitemapShardResponse('posts-1.xml')).text()).toBe(await sitemapPackage(items));
    // Escaping and the priority format, on a URL with an ampersand and a priority of 1.
    const odd = {
      url: 'https://blog.example.test/a?b=1&c=2',
      lastmod: '2024-01-01T00:00:00.000Z',
      changefreq: 'daily',
      priority: 1,
    } as const;
    expect(URLSET_OPEN + urlElement(odd) + URLSET_CLOSE).toBe(await sitemapPackage([odd]));
  });

  // Found by the benchmark: a shard used to hold a SQLite iterator open while it streamed, and
  // better-sqlite3 refuses every other statement meanwhile, so a slow or vanished crawler broke writes.
  it('a shard read slowly, or abandoned halfway, never blocks writes', async () => {
    const at = '2024-01-01T00:00:00.000Z';
    await insertPublishedPosts(2500, { prefix: 'bulk', at, body: 'x' });
    const reader = (await sitemapShardResponse('posts-1.xml')).body!.getReader();
    const firstChunk = await reader.read();
    expect(firstChunk.done).toBe(false);
    expect(new TextDecoder().decode(firstChunk.value)).not.toContain('</urlset>');
    // Mid-stream, the blog still takes comments and posts.
    expect((await makeComment((await makePost()).slug)).status).toBe('approved');
    await reader.cancel();
    expect((await makeComment((await makePost()).slug)).status).toBe('approved');
  });
});

describe('reply depth', () => {
  it('attaches replies beyond the configured depth to the deepest allowed ancestor', async () => {
    await updateCommentSettings({ maxReplyDepth: 3 });
    const { slug } = await makePost();
    const level1 = await makeComment(slug);
    const level2 = await makeComment(slug, { parentId: level1.id });
    const level3 = await makeComment(slug, { parentId: level2.id });
    const tooDeep = await makeComment(slug, { parentId: level3.id });
    expect([level2.parentId, level3.parentId, tooDeep.parentId]).toEqual([level1.id, level2.id, level2.id]);
    await updateCommentSettings({ maxReplyDepth: 1 });
    expect((await createComment(slug, { authorName: 'A', body: 'b', parentId: level1.id })).parentId).toBeNull();
  });
});
