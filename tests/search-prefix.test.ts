import { beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { deletePost, updatePost } from '@/lib/content/posts';
import { indexMissingPosts, searchPosts } from '@/lib/content/search';
import { makePost, resetDatabase } from './helpers';

beforeEach(resetDatabase);

const slugsOf = (q: string) => searchPosts(q, { limit: 10 }).data.map((post) => post.slug);

// Issue 11 item 9: the index stems words, and a typed prefix longer than the stem ("tagg" of "tagged",
// whose stem is "tag") used to be stemmed too and found nothing.
describe('search as you type', () => {
  it('finds a word by any prefix as written, longer than its stem included', async () => {
    await makePost({ slug: 'probe', title: 'Tagged probe', body: 'Notes on running a blog.' });
    for (const q of ['ta', 'tag', 'tagg', 'tagge', 'tagged', 'ru', 'run', 'runn', 'runni', 'runnin', 'running', 'pro']) {
      expect(slugsOf(q), q).toEqual(['probe']);
    }
    // Whole words still match their stems, and a prefix still combines with the words before it.
    expect(slugsOf('tag '), 'tag ').toEqual(['probe']);
    expect(slugsOf('runs tagg'), 'runs tagg').toEqual(['probe']);
    expect(slugsOf('"tagged probe" runn'), '"tagged probe" runn').toEqual(['probe']);
    expect(slugsOf('-running tagg'), '-running tagg').toEqual([]);
    expect(slugsOf('-elsewhere tagg'), '-elsewhere tagg').toEqual(['probe']);
    expect(slugsOf('missing tagg'), 'missing tagg').toEqual([]);
    expect(slugsOf('taggx'), 'taggx').toEqual([]);
    // Prefix matches are highlighted in the snippet.
    expect(searchPosts('runni', { limit: 10 }).data[0]!.snippet).toContain('<mark>running</mark>');
  });

  it('ranks a title match above a body match for a prefix longer than the stem', async () => {
    await makePost({ slug: 'body', title: 'Notes', body: 'A long text in which something is tagged once, among many other words.' });
    await makePost({ slug: 'title', title: 'Tagged things', body: 'Short.' });
    expect(slugsOf('tagg'), 'tagg').toEqual(['title', 'body']);
    expect(slugsOf('tagged'), 'tagged').toEqual(['title', 'body']);
  });

  it('pages through prefix matches', async () => {
    for (let i = 0; i < 5; i++) await makePost({ title: `Running ${i}` });
    const first = searchPosts('runni', { limit: 3 });
    expect(first.data).toHaveLength(3);
    const second = searchPosts('runni', { limit: 3, cursor: first.nextCursor! });
    expect(second.data).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
  });

  it('forgets a deleted post and follows an edited title', async () => {
    const gone = await makePost({ slug: 'gone', title: 'Tagged for removal' });
    const edited = await makePost({ slug: 'edited', title: 'Original heading' });
    expect(slugsOf('tagg'), 'tagg').toEqual(['gone']);
    deletePost(gone.slug);
    expect(slugsOf('tagg'), 'tagg').toEqual([]);
    await updatePost(edited.slug, { title: 'Renamed heading' });
    expect(slugsOf('origi'), 'origi').toEqual([]);
    expect(slugsOf('renam'), 'renam').toEqual(['edited']);
    expect(slugsOf('renamed'), 'renamed').toEqual(['edited']);
    const counts = getDb()
      .$client.prepare('SELECT (SELECT count(*) FROM posts_fts) AS stemmed, (SELECT count(*) FROM posts_fts_prefix) AS prefixes')
      .get();
    expect(counts).toEqual({ stemmed: 1, prefixes: 1 });
  });

  it('adds posts missing from the prefix index at start', async () => {
    const post = await makePost({ title: 'Tagged later' });
    getDb().$client.prepare('DELETE FROM posts_fts_prefix WHERE rowid = ?').run(post.id);
    expect(slugsOf('tagg'), 'tagg').toEqual([]);
    expect(await indexMissingPosts()).toBe(1);
    expect(slugsOf('tagg'), 'tagg').toEqual([post.slug]);
    expect(slugsOf('later'), 'later').toEqual([post.slug]);
  });
});
