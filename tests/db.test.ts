import { beforeEach, describe, expect, it } from 'vitest';
import { getDatabaseHealth, getDb } from '@/db';
import { getCommentTree } from '@/lib/comments/comments';
import { deletePost, listPublishedPosts } from '@/lib/content/posts';
import { makeComment, makePost, resetDatabase } from './helpers';

const sqlite = () => getDb().$client;

beforeEach(resetDatabase);

describe('database', () => {
  it('applies every migration to a new file and tunes the connection', () => {
    expect(getDatabaseHealth()).toEqual({ database: 'ok', migrations: 12, version: '0011_cache_tag_expiries' });
    expect(sqlite().pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite().pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite().pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('keeps comment counts exact through inserts, status changes and deletes', async () => {
    const post = await makePost();
    const first = await makeComment(post.slug);
    await makeComment(post.slug, { parentId: first.id });
    const count = () => listPublishedPosts({ limit: 10 }).data[0]!.commentCount;
    expect(count()).toBe(2);
    sqlite().prepare("UPDATE comments SET status = 'spam' WHERE id = ?").run(first.id);
    expect(count()).toBe(1);
    sqlite().prepare("UPDATE comments SET status = 'approved' WHERE id = ?").run(first.id);
    expect(count()).toBe(2);
    // Deleting a comment deletes its replies too.
    sqlite().prepare('DELETE FROM comments WHERE id = ?').run(first.id);
    expect(count()).toBe(0);
  });

  it('deletes a post with its comments', async () => {
    const post = await makePost();
    await makeComment(post.slug);
    deletePost(post.slug);
    expect(sqlite().prepare('SELECT count(*) AS n FROM comments').get()).toEqual({ n: 0 });
  });

  it('refuses invalid rows at the database level too', () => {
    const insert = (status: string, publishedAt: string | null) =>
      sqlite()
        .prepare(
          "INSERT INTO posts (slug, title, body, html, status, published_at, created_at, updated_at) VALUES (?, 't', 'b', 'b', ?, ?, '', '')",
        )
        .run(`s-${Math.random()}`, status, publishedAt);
    expect(() => insert('archived', null)).toThrow(/CHECK/);
    expect(() => insert('published', null)).toThrow(/CHECK/);
    expect(() => insert('draft', null)).not.toThrow();
  });

  it.each([
    [
      'published posts page',
      "SELECT id FROM posts WHERE status = 'published' AND (published_at, id) < ('2026', 5) ORDER BY published_at DESC, id DESC LIMIT 21",
    ],
    ['post by slug', "SELECT id FROM posts WHERE slug = 'x' AND status = 'published'"],
    ['comments of a post', "SELECT id FROM comments WHERE post_id = 1 AND status = 'approved' ORDER BY created_at, id LIMIT 21"],
    ['comment by id', 'SELECT id FROM comments WHERE id = 1'],
    ['replies of a comment (cascade)', 'SELECT id FROM comments WHERE parent_id = 1'],
  ])('answers "%s" from an index, without a full scan or a sort', (_name, query) => {
    const plan = (sqlite().prepare(`EXPLAIN QUERY PLAN ${query}`).all() as { detail: string }[]).map((row) => row.detail).join('\n');
    expect(plan).not.toMatch(/^SCAN (posts|comments)$/m);
    expect(plan).not.toMatch(/USE TEMP B-TREE/);
  });

  it('builds the comment tree in one pass, with replies under their parent', async () => {
    const post = await makePost();
    const a = await makeComment(post.slug, { body: 'a' });
    const b = await makeComment(post.slug, { body: 'b', parentId: a.id });
    await makeComment(post.slug, { body: 'c', parentId: b.id });
    await makeComment(post.slug, { body: 'd' });
    const tree = getCommentTree(post.id);
    expect(tree.map((c) => c.html)).toEqual(['<p>a</p>', '<p>d</p>']);
    expect(tree[0]!.replies[0]!.replies[0]!.html).toBe('<p>c</p>');
  });
});
