import { beforeEach, describe, expect, it } from 'vitest';
import * as adminPostsRoute from '@/app/api/admin/posts/route';
import * as postsRoute from '@/app/api/posts/route';
import * as postRoute from '@/app/api/posts/[slug]/route';
import { countPostsForAuthor, getPostById, listPostsForAuthor, updatePost } from '@/lib/content/posts';
import type { AuthorStatus } from '@/lib/content/schemas';
import { searchPosts } from '@/lib/content/search';
import { previewPath } from '@/lib/site/paths';
import { isPostSlugFallback, postSlugFallback, slugWords, slugify } from '@/lib/slug';
import { ADMIN, call, makePost, resetDatabase } from './helpers';

beforeEach(resetDatabase);

const IN_A_WEEK = new Date(Date.now() + 7 * 86_400_000).toISOString();

/** One post of each kind, most recently edited last. */
async function onePostOfEach() {
  const published = await makePost({ title: 'Live post', body: 'Readers can see this.' });
  const scheduled = await makePost({ title: 'Coming post', body: 'Readers will see this.', status: 'scheduled', publishedAt: IN_A_WEEK });
  const draft = await makePost({ title: 'Draft post', body: 'Nobody sees this yet.', status: 'draft' });
  return { published, scheduled, draft };
}

const slugs = (page: { data: { slug: string }[] }) => page.data.map((post) => post.slug);

describe('the author’s post list by status', () => {
  it('keeps the posts of one status, as each post’s own status says', async () => {
    const { published, scheduled, draft } = await onePostOfEach();
    expect(slugs(await listPostsForAuthor({ limit: 10 }))).toEqual([draft.slug, scheduled.slug, published.slug]);
    for (const [status, post] of [
      ['draft', draft],
      ['scheduled', scheduled],
      ['published', published],
    ] as const) {
      const page = await listPostsForAuthor({ limit: 10, status });
      expect(slugs(page), status).toEqual([post.slug]);
      expect(page.data[0]!.status).toBe(status);
    }
    expect(await countPostsForAuthor()).toEqual({ all: 3, draft: 1, scheduled: 1, published: 1 });
  });

  it('pages through one status with a search, each post once, most recently edited first', async () => {
    const wanted: string[] = [];
    for (let i = 0; i < 7; i++) {
      const status: AuthorStatus = i % 2 ? 'draft' : 'published';
      const post = await makePost({
        title: `Entry ${i}`,
        body: i % 3 ? `About gardening, part ${i}.` : `About cooking, part ${i}.`,
        status,
      });
      if (status === 'draft' && i % 3) wanted.unshift(post.slug);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listPostsForAuthor({ limit: 1, cursor, q: 'gardening', status: 'draft' });
      seen.push(...slugs(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(wanted);
    expect(await countPostsForAuthor({ q: 'gardening' })).toEqual({
      all: 4,
      draft: wanted.length,
      scheduled: 0,
      published: 4 - wanted.length,
    });
  });
});

describe('the author’s search', () => {
  it('finds words in the text, summary and tags, not only in titles, drafts included', async () => {
    const { draft, published } = await onePostOfEach();
    const tagged = await makePost({ title: 'Plain title', body: 'Plain text.', summary: 'Mentions a heron.', tags: ['Birdwatching'] });
    expect(slugs(await listPostsForAuthor({ limit: 10, q: 'nobody' }))).toEqual([draft.slug]);
    expect(slugs(await listPostsForAuthor({ limit: 10, q: 'heron' }))).toEqual([tagged.slug]);
    expect(slugs(await listPostsForAuthor({ limit: 10, q: 'birdwatching' }))).toEqual([tagged.slug]);
    // Word forms (stemmed) and the word being typed (a prefix, as written) both match.
    expect(slugs(await listPostsForAuthor({ limit: 10, q: 'reader' }))).toHaveLength(2);
    expect(slugs(await listPostsForAuthor({ limit: 10, q: 'Readers can s' }))).toEqual([published.slug]);
    // The public search still never shows a draft.
    expect((await searchPosts('nobody', { limit: 10 })).data).toEqual([]);
  });

  it('treats what the author types as words: operators and wildcards are text, symbols alone find nothing', async () => {
    await makePost({ title: '100% pure', body: 'Under_score and "quotes" AND NOT stars*.' });
    await makePost({ title: 'Another', body: 'Unrelated.' });
    for (const q of ['%', '_', '*', '"', '(', 'AND', 'NOT', '-'])
      expect((await listPostsForAuthor({ limit: 10, q })).data.length, q).toBeLessThanOrEqual(1);
    expect((await listPostsForAuthor({ limit: 10, q: '%' })).data).toEqual([]);
    expect((await countPostsForAuthor({ q: '%' })).all).toBe(0);
    expect(slugs(await listPostsForAuthor({ limit: 10, q: '100%' }))).toEqual(['100-pure']);
    expect(slugs(await listPostsForAuthor({ limit: 10, q: 'stars* AND' }))).toEqual(['100-pure']);
  });
});

describe('GET /api/admin/posts', () => {
  const list = (query: string) => call(adminPostsRoute.GET, { path: `/api/admin/posts?${query}`, headers: ADMIN });

  it('filters by status and searches the text', async () => {
    const { scheduled, draft } = await onePostOfEach();
    expect(slugs(await (await list('status=scheduled')).json())).toEqual([scheduled.slug]);
    expect(slugs(await (await list('status=draft&q=sees')).json())).toEqual([draft.slug]);
  });

  it('refuses an unknown status, naming the field', async () => {
    const response = await list('status=archived');
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ field: 'status', message: 'status must be draft, scheduled or published.' }]);
  });
});

describe('slugs of posts whose title gives none', () => {
  it('slugWords is empty for such titles; slugify (tags) still never is', () => {
    for (const title of ['', '   ', '!!!', '日本語', '🎉🎉', '—']) expect([slugWords(title), slugify(title)], title).toEqual(['', 'post']);
    expect(slugWords('Café & Crème!')).toBe('cafe-and-creme');
    expect(isPostSlugFallback(postSlugFallback(7), 7)).toBe(true);
    expect(isPostSlugFallback('post-7-2', 7)).toBe(true);
    expect(isPostSlugFallback('post-7', 17)).toBe(false);
    expect(isPostSlugFallback('post-7-things', 7)).toBe(false);
  });

  it('gives each its own slug from its id, never a shared word with a number', async () => {
    const posts = [await makePost({ title: '日本語' }), await makePost({ title: '!!!', status: 'draft' }), await makePost({ title: '🎉' })];
    expect(posts.map((post) => post.slug)).toEqual(posts.map((post) => `post-${post.id}`));
    expect(posts.map((post) => post.slug)).not.toContain('untitled');
    expect(posts.map((post) => post.slug)).not.toContain('post');
  });

  it('makes the id slug unique when a title took it first', async () => {
    const first = await makePost({ title: 'First' });
    // The next post will have the id first.id + 1: a title takes that slug before it.
    await makePost({ title: `Post ${first.id + 2}` });
    const symbols = await makePost({ title: '???' });
    expect(symbols.id).toBe(first.id + 2);
    expect(symbols.slug).toBe(`post-${symbols.id}-2`);
  });

  it('a never published draft takes its slug from the first title that has one, and keeps it', async () => {
    const draft = await makePost({ title: '日本語', status: 'draft' });
    // The editor sends back the slug it was given along with the new title.
    const named = await updatePost(draft.slug, { title: 'Japanese notes', slug: draft.slug });
    expect(named.slug).toBe('japanese-notes');
    // Later saves that still send the old id slug leave the new slug alone.
    expect((await updatePost(named.slug, { body: 'More.', slug: draft.slug })).slug).toBe('japanese-notes');
    expect((await updatePost(named.slug, { title: 'Japanese notes, revised', slug: draft.slug })).slug).toBe('japanese-notes');
    // A slug the author chose is kept.
    const chosen = await makePost({ title: '中文', status: 'draft' });
    expect((await updatePost(chosen.slug, { title: 'Chinese', slug: 'my-choice' })).slug).toBe('my-choice');
  });

  it('a title like "Post <id>" on its own post does not change the slug on every save', async () => {
    const draft = await makePost({ title: '…', status: 'draft' });
    for (let i = 0; i < 3; i++)
      expect((await updatePost(draft.slug, { title: `Post ${draft.id}`, slug: draft.slug })).slug).toBe(draft.slug);
  });

  it('keeps the address of a post that is or was public', async () => {
    const live = await makePost({ title: '日本語' });
    expect((await updatePost(live.slug, { title: 'Now in English' })).slug).toBe(live.slug);
    const unpublished = await makePost({ title: '中文' });
    await updatePost(unpublished.slug, { status: 'draft' });
    expect((await updatePost(unpublished.slug, { title: 'Once public' })).slug).toBe(unpublished.slug);
    const scheduled = await makePost({ title: 'ελληνικά', status: 'scheduled', publishedAt: IN_A_WEEK });
    expect((await updatePost(scheduled.slug, { title: 'Greek' })).slug).toBe(scheduled.slug);
  });

  it('publishing a retitled draft publishes it at the new slug', async () => {
    const draft = await makePost({ title: '???', status: 'draft' });
    const live = await updatePost(draft.slug, { title: 'Questions', status: 'published' });
    expect(live).toMatchObject({ slug: 'questions', status: 'published' });
    expect((await getPostById(draft.id))!.slug).toBe('questions');
  });
});

describe('POST and PATCH /api/posts with titles that give no slug', () => {
  const create = (json: unknown) => call(postsRoute.POST, { method: 'POST', path: '/api/posts', json, headers: ADMIN });

  it('refuses an empty or blank title, naming the field, and creates nothing', async () => {
    for (const title of ['', '   ', '\n\t']) {
      const response = await create({ title, body: 'Text without a title.' });
      expect(response.status, JSON.stringify(title)).toBe(400);
      expect((await response.json()).errors).toEqual([{ field: 'title', message: 'Title is required.' }]);
    }
    expect((await countPostsForAuthor()).all).toBe(0);
  });

  it('creates a post titled only with symbols at its id slug, and renames the draft once it has a title', async () => {
    const response = await create({ title: '?!', body: 'Text.' });
    expect(response.status).toBe(201);
    const post = await response.json();
    expect(post.slug).toBe(`post-${post.id}`);
    expect(response.headers.get('location')).toBe(`/api/posts/post-${post.id}`);
    const renamed = await call(postRoute.PATCH, {
      method: 'PATCH',
      params: { slug: post.slug },
      json: { title: 'Exclamations', slug: post.slug },
      headers: ADMIN,
    });
    expect((await renamed.json()).slug).toBe('exclamations');
  });
});

describe('previewPath', () => {
  it('is the post’s address with /preview', () => {
    expect(previewPath('hello-world')).toBe('/posts/hello-world/preview');
  });
});
