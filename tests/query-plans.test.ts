import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteDB, getDb, transaction } from '@/db';
import { findUserByApiToken } from '@/lib/auth/api-tokens';
import {
  countCommentsByStatus,
  createComment,
  getAdminComment,
  getApprovedComment,
  getOwnCommentSources,
  listApprovedComments,
  listCommentsForModeration,
  listPostsWithComments,
} from '@/lib/comments/comments';
import { feedResponse } from '@/lib/content/feeds';
import { loadPostList, loadPostPage, loadTag, loadTags } from '@/lib/content/page-data';
import {
  countPostsForAuthor,
  getLivePostForComments,
  getPostById,
  listPostsForAuthor,
  listPublishedPosts,
  postExists,
} from '@/lib/content/posts';
import { hit, reserveAttempt } from '@/lib/rate-limit';
import { updateSettings } from '@/lib/comments/settings';
import { SIGN_IN_BACKOFF } from '@/lib/auth/sign-in';
import { searchPosts } from '@/lib/content/search';
import { getSessionUser } from '@/lib/auth/sessions';
import { sitemapIndexResponse, sitemapShardResponse } from '@/lib/content/sitemaps';
import { makeComment, makePost } from './helpers';

/*
 * Every query the pages and endpoints run, captured as it runs, must be answered from an index:
 * EXPLAIN QUERY PLAN may not show a full scan of posts or comments, whatever the data size. And
 * no page does a query per item (N+1): the number of statements does not grow with the data.
 * SQLite's plans: the statements are captured on both its connections, for reads and for writes.
 */

interface Captured {
  sql: string;
  args: unknown[];
}

let captured: Captured[] = [];
/** Prepares on the connection for reads without capturing: for EXPLAIN QUERY PLAN. */
let prepareUncaptured: (source: string) => Database.Statement<unknown[]>;
const restore: (() => void)[] = [];

beforeAll(async () => {
  const reader = (getDb() as unknown as SqliteDB).$client;
  const writer = await transaction(async (tx) => (tx as unknown as SqliteDB).$client);
  const readerPrepare = reader.prepare;
  prepareUncaptured = (source) => readerPrepare.call(reader, source);
  for (const connection of new Set([reader, writer])) {
    const prepare = connection.prepare;
    restore.push(() => (connection.prepare = prepare));
    connection.prepare = function (this: Database.Database, source: string) {
      const statement = prepare.call(this, source);
      for (const method of ['all', 'get', 'run', 'iterate'] as const) {
        const run = statement[method] as (...args: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          captured.push({ sql: source, args });
          return run.apply(statement, args);
        };
      }
      return statement;
    } as Database.Database['prepare'];
  }
});

afterAll(() => {
  for (const undo of restore) undo();
});

/** Runs `work` and answers the statements it ran, with their query plans. */
async function capture(work: () => unknown): Promise<{ sql: string; plan: string }[]> {
  captured = [];
  await work();
  const runs = captured;
  captured = [];
  return runs
    .filter(({ sql }) => /^\s*(SELECT|WITH|UPDATE|DELETE|INSERT)/i.test(sql))
    .map(({ sql, args }) => ({
      sql,
      plan: (prepareUncaptured(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((row) => row.detail).join('\n'),
    }));
}

async function drain(response: Response | Promise<Response>) {
  await (await response).text();
}

describe('query plans', () => {
  let slug: string;
  let postId: number;
  let commentId: number;

  beforeAll(async () => {
    // No ANALYZE: without statistics SQLite plans as for large tables, which is what matters here.
    for (let i = 0; i < 40; i++) await makePost({ title: `Filler ${i}`, tags: [`Topic ${i % 5}`] });
    const post = await makePost({ title: 'Measured', tags: ['Topic 1'] });
    slug = post.slug;
    postId = post.id;
    commentId = (await makeComment(slug, { authorName: 'Ann' })).id;
    await makeComment(slug, { parentId: commentId });
  });

  const reads: [string, () => unknown][] = [
    ['home page', () => loadPostList({ limit: 10 })],
    ['older home page', async () => loadPostList({ limit: 10, cursor: (await listPublishedPosts({ limit: 10 })).nextCursor! })],
    ['tag page', () => loadPostList({ limit: 10, tag: 'topic-1' })],
    ['tag', () => loadTag('topic-1')],
    ['tags', () => loadTags()],
    ['post page', () => loadPostPage(slug)],
    ['comments of a post', () => listApprovedComments(slug, { limit: 20 })],
    ['comment by id', () => getApprovedComment(commentId)],
    ['post for a new comment', () => getLivePostForComments(slug)],
    ['search', () => searchPosts('measured filler', { limit: 10 })],
    ['feed', () => drain(feedResponse(new Request('https://blog.example.test/feed.xml'), 'rss'))],
    ['tag feed', () => drain(feedResponse(new Request('https://blog.example.test/tags/topic-1/feed.xml'), 'rss', 'topic-1'))],
    ['sitemap index', () => drain(sitemapIndexResponse(new Request('https://blog.example.test/sitemap.xml')))],
    ['sitemap posts shard', () => drain(sitemapShardResponse('posts-1.xml'))],
    ['sitemap tags shard', () => drain(sitemapShardResponse('tags-1.xml'))],
    ['author post list', () => listPostsForAuthor({ limit: 20 })],
    ['author post search', () => listPostsForAuthor({ limit: 20, q: 'Meas' })],
    ...(['draft', 'scheduled', 'published'] as const).map((status): [string, () => unknown] => [
      `author ${status} posts, searched and not, and their counts`,
      () =>
        Promise.all([
          listPostsForAuthor({ limit: 20, status }),
          listPostsForAuthor({ limit: 20, status, q: 'filler' }),
          countPostsForAuthor(),
          countPostsForAuthor({ q: 'filler' }),
        ]),
    ]),
    ['author post', () => getPostById(postId)],
    ['slug check', () => postExists(slug)],
    ['moderation queue', () => listCommentsForModeration({ status: 'approved', limit: 20 })],
    ['moderation counts', () => countCommentsByStatus()],
    ['moderation queue of a post, searched', () => listCommentsForModeration({ status: 'approved', limit: 20, post: slug, q: 'thought' })],
    ['moderation search', () => listCommentsForModeration({ status: 'pending', limit: 20, q: 'thought' })],
    ['moderation counts of a post', () => countCommentsByStatus(slug)],
    ['posts with comments', () => listPostsWithComments()],
    ['comment for moderation', () => getAdminComment(commentId)],
    ['own comments', () => getOwnCommentSources([commentId])],
    ['session', () => getSessionUser('no-such-session')],
    ['api token', () => findUserByApiToken('no-such-token')],
    [
      'rate limits',
      () => Promise.all([hit('comment:127.0.0.1', { max: 5, windowSeconds: 60 }), reserveAttempt('sign-in:x', SIGN_IN_BACKOFF.pair)]),
    ],
    [
      'returning commenter',
      async () => {
        await updateSettings({ moderation: 'hold_first_time' });
        try {
          return await createComment(slug, { authorName: 'Ann', body: 'Again.' }, { commenterKey: 'returning' });
        } finally {
          await updateSettings({ moderation: 'immediate' });
        }
      },
    ],
  ];

  it.each(reads)('%s reads posts and comments through indexes only', async (_name, read) => {
    const statements = await capture(read);
    expect(statements.length).toBeGreaterThan(0);
    for (const { sql, plan } of statements) {
      // "SCAN posts" is a full table scan; "SEARCH … USING INDEX" and covering-index reads are not.
      expect(plan, sql).not.toMatch(/^SCAN (posts|comments)\b(?! USING (COVERING )?INDEX)/m);
    }
  });
});

describe('no N+1 queries', () => {
  it('a post page runs as many statements with 1 comment as with 30', async () => {
    const few = await makePost({ title: 'Few comments' });
    await makeComment(few.slug);
    const many = await makePost({ title: 'Many comments', tags: ['A', 'B', 'C'] });
    for (let i = 0; i < 30; i++) await makeComment(many.slug);
    expect((await capture(() => loadPostPage(many.slug))).length).toBe((await capture(() => loadPostPage(few.slug))).length);
  });

  it('a list page runs as many statements for 1 post as for 20', async () => {
    const one = (await capture(() => loadPostList({ limit: 1 }))).length;
    const twenty = (await capture(() => loadPostList({ limit: 20 }))).length;
    expect(twenty).toBe(one);
    expect((await capture(() => searchPosts('filler', { limit: 20 }))).length).toBe(
      (await capture(() => searchPosts('filler', { limit: 1 }))).length,
    );
  });
});
