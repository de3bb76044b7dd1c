import { beforeEach, describe, expect, it } from 'vitest';
import { deletePost, updatePost } from '@/lib/content/posts';
import { indexMissingPosts, searchPosts } from '@/lib/content/search';
import { countIndexedPosts, makePost, removeFromSearchIndex, resetDatabase } from './helpers';

beforeEach(resetDatabase);

const slugsOf = async (q: string) => (await searchPosts(q, { limit: 10 })).data.map((post) => post.slug);

// Issue 11 item 9: the index stems words, and a typed prefix longer than the stem ("tagg" of "tagged",
// whose stem is "tag") used to be stemmed too and found nothing.
describe('search as you type', () => {
  it('finds a word by any prefix as written, longer than its stem included', async () => {
    await makePost({ slug: 'probe', title: 'Tagged probe', body: 'Notes on running a blog.' });
    for (const q of ['ta', 'tag', 'tagg', 'tagge', 'tagged', 'ru', 'run', 'runn', 'runni', 'runnin', 'running', 'pro']) {
      expect(await slugsOf(q), q).toEqual(['probe']);
    }
    // Whole words still match their stems, and a prefix still combines with the words before it.
    expect(await slugsOf('tag '), 'tag ').toEqual(['probe']);
    expect(await slugsOf('runs tagg'), 'runs tagg').toEqual(['probe']);
    expect(await slugsOf('"tagged probe" runn'), '"tagged probe" runn').toEqual(['probe']);
    expect(await slugsOf('-running tagg'), '-running tagg').toEqual([]);
    expect(await slugsOf('-elsewhere tagg'), '-elsewhere tagg').toEqual(['probe']);
    expect(await slugsOf('missing tagg'), 'missing tagg').toEqual([]);
    expect(await slugsOf('taggx'), 'taggx').toEqual([]);
    // Prefix matches are highlighted in the snippet.
    expect((await searchPosts('runni', { limit: 10 })).data[0]!.snippet).toContain('<mark>running</mark>');
  });

  it('ranks a title match above a body match for a prefix longer than the stem', async () => {
    await makePost({ slug: 'body', title: 'Notes', body: 'A long text in which something is tagged once, among many other words.' });
    await makePost({ slug: 'title', title: 'Tagged things', body: 'Short.' });
    expect(await slugsOf('tagg'), 'tagg').toEqual(['title', 'body']);
    expect(await slugsOf('tagged'), 'tagged').toEqual(['title', 'body']);
  });

  it('pages through prefix matches', async () => {
    for (let i = 0; i < 5; i++) await makePost({ title: `Running ${i}` });
    const first = await searchPosts('runni', { limit: 3 });
    expect(first.data).toHaveLength(3);
    const second = await searchPosts('runni', { limit: 3, cursor: first.nextCursor! });
    expect(second.data).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
  });

  it('forgets a deleted post and follows an edited title', async () => {
    const gone = await makePost({ slug: 'gone', title: 'Tagged for removal' });
    const edited = await makePost({ slug: 'edited', title: 'Original heading' });
    expect(await slugsOf('tagg'), 'tagg').toEqual(['gone']);
    await deletePost(gone.slug);
    expect(await slugsOf('tagg'), 'tagg').toEqual([]);
    await updatePost(edited.slug, { title: 'Renamed heading' });
    expect(await slugsOf('origi'), 'origi').toEqual([]);
    expect(await slugsOf('renam'), 'renam').toEqual(['edited']);
    expect(await slugsOf('renamed'), 'renamed').toEqual(['edited']);
    expect(await countIndexedPosts()).toBe(1);
  });

  it('adds posts missing from the prefix index at start', async () => {
    const post = await makePost({ title: 'Tagged later' });
    // On PostgreSQL both documents are one row of post_search.
    await removeFromSearchIndex(post.id, ['posts_fts_prefix']);
    expect(await slugsOf('tagg'), 'tagg').toEqual([]);
    expect(await indexMissingPosts()).toBe(1);
    expect(await slugsOf('tagg'), 'tagg').toEqual([post.slug]);
    expect(await slugsOf('later'), 'later').toEqual([post.slug]);
  });
});
