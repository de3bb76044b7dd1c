import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { closeDb, getDatabaseHealth, getDb, prepareDatabase, queryRows, sql, transaction } from '@/db';
import { comments, posts } from '@/db/schema';
import { onlyOn } from './dialect';
import { freePort } from './free-port';

/*
 * What db/postgres/migrations adds to the schema Drizzle generates (the comment-count triggers and
 * post_search), and DATABASE_URL's start-up errors, on the postgres project's throw-away server.
 */

const postgres = onlyOn('postgres', 'checks the PostgreSQL migrations and connection errors');

const countOf = async (id: number) => (await getDb().select({ count: posts.commentCount }).from(posts).where(eq(posts.id, id)))[0]?.count;

let slugs = 0;
const newPost = () =>
  transaction(async (tx) => {
    const [post] = await tx
      .insert(posts)
      .values({ slug: `post-${++slugs}`, title: 't', body: 'b', html: 'b', status: 'published', publishedAt: new Date().toISOString() })
      .returning();
    return post!;
  });

const newComment = (postId: number, status: 'approved' | 'pending' | 'spam', parentId?: number) =>
  transaction(async (tx) => {
    const [comment] = await tx.insert(comments).values({ postId, parentId, status, authorName: 'Ada', body: 'b', html: 'b' }).returning();
    return comment!;
  });

postgres.describe('the PostgreSQL migrations', () => {
  it('prepareDatabase() applied all of them', async () => {
    const tables = await queryRows<{ name: string }>(
      sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((table) => table.name)).toEqual([
      'api_tokens',
      'cache_tag_expiries',
      'comments',
      'post_search',
      'post_tags',
      'posts',
      'rate_limits',
      'sessions',
      'settings',
      'site_assets',
      'tags',
      'users',
    ]);
    expect(await getDatabaseHealth()).toEqual({ database: 'ok', migrations: 5, version: '0004_summary_source' });
    // This start made the schema: a new, empty blog.
    expect(await prepareDatabase()).toEqual({ created: true });
  });

  it('keeps posts.comment_count exact through inserts, status changes, moves and deletes', async () => {
    const post = await newPost();
    const other = await newPost();
    const first = await newComment(post.id, 'approved');
    await newComment(post.id, 'approved', first.id);
    const held = await newComment(post.id, 'pending');
    await newComment(post.id, 'spam');
    expect(await countOf(post.id)).toBe(2);

    await transaction((tx) => tx.update(comments).set({ status: 'approved' }).where(eq(comments.id, held.id)));
    expect(await countOf(post.id)).toBe(3);
    await transaction((tx) => tx.update(comments).set({ status: 'spam' }).where(eq(comments.id, held.id)));
    expect(await countOf(post.id)).toBe(2);
    // An update that changes neither column leaves the count alone.
    await transaction((tx) => tx.update(comments).set({ body: 'edited' }).where(eq(comments.postId, post.id)));
    expect(await countOf(post.id)).toBe(2);

    await transaction((tx) => tx.update(comments).set({ postId: other.id }).where(eq(comments.id, first.id)));
    expect([await countOf(post.id), await countOf(other.id)]).toEqual([1, 1]);

    // Deleting a comment deletes its replies, and each delete counts.
    await transaction((tx) => tx.update(comments).set({ postId: post.id }).where(eq(comments.id, first.id)));
    await transaction((tx) => tx.delete(comments).where(eq(comments.id, first.id)));
    expect([await countOf(post.id), await countOf(other.id)]).toEqual([0, 0]);

    // A rolled-back write changes nothing.
    await expect(
      transaction(async (tx) => {
        await tx.insert(comments).values({ postId: post.id, status: 'approved', authorName: 'Ada', body: 'b', html: 'b' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await countOf(post.id)).toBe(0);
  });

  it('post_search weighs and matches what lib/content/search writes', async () => {
    const post = await newPost();
    const second = await newPost();
    await transaction(async () => {
      await queryRows(sql`INSERT INTO post_search (post_id, title, summary, body, tags)
        VALUES (${post.id}, 'Café tips', 'A short summary', 'The body says the tables are tagged.', 'SQLite Données'),
               (${second.id}, 'Elsewhere', '', 'Nothing about it, except tips.', '')`);
    });
    const matching = async (query: ReturnType<typeof sql>, column = sql.raw('document')) =>
      (
        await queryRows<{ id: number; rank: number }>(
          sql`SELECT post_id AS id, ts_rank(${column}, q) AS rank FROM post_search, ${query} AS q WHERE ${column} @@ q ORDER BY rank DESC, post_id`,
        )
      ).map((row) => row.id);

    // Stemmed, without diacritics or stop words, the title weighing more than the body.
    expect(await matching(sql`websearch_to_tsquery('quire_english', 'tip')`)).toEqual([post.id, second.id]);
    expect(await matching(sql`websearch_to_tsquery('quire_english', 'cafe donnees')`)).toEqual([post.id]);
    expect(await matching(sql`websearch_to_tsquery('quire_english', '"the tables are tagged"')`)).toEqual([post.id]);
    expect(await matching(sql`websearch_to_tsquery('quire_english', 'tips -sqlite')`)).toEqual([second.id]);
    // The word being typed, as a prefix of the words as written ("tagg" is no prefix of the stem "tag").
    expect(await matching(sql`to_tsquery('quire_simple', 'tagg:*')`, sql.raw('prefix_document'))).toEqual([post.id]);
    expect(await matching(sql`to_tsquery('quire_english', 'tagg:*')`)).toEqual([]);
    // Whatever a reader types is a valid query.
    await expect(matching(sql`websearch_to_tsquery('quire_english', ${'"( AND OR NOT * :* & | ! <-> \\ \'"'})`)).resolves.toEqual([]);

    // Deleting the post deletes its row.
    await transaction((tx) => tx.delete(posts).where(eq(posts.id, post.id)));
    expect(await queryRows(sql`SELECT post_id FROM post_search ORDER BY post_id`)).toEqual([{ post_id: second.id }]);
  });
});

postgres.describe('a wrong DATABASE_URL', () => {
  const server = inject('postgresServerUrl');
  const good = process.env.DATABASE_URL!;
  const role = `quire_password_${process.pid}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    await client.query(query).finally(() => client.end());
  };
  afterAll(async () => {
    await closeDb();
    process.env.DATABASE_URL = good;
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  const startWith = async (url: string) => {
    await closeDb();
    process.env.DATABASE_URL = url;
    return prepareDatabase();
  };
  const withUrl = (change: (url: URL) => void) => {
    const url = new URL(good);
    change(url);
    return url.toString();
  };

  it('stops start-up, naming the variable and what failed', async () => {
    const closedPort = await freePort();
    await expect(startWith(withUrl((url) => (url.port = String(closedPort))))).rejects.toThrow(
      /^Invalid configuration:\n {2}DATABASE_URL: PostgreSQL is unreachable/,
    );

    await admin(`CREATE ROLE ${role} LOGIN PASSWORD 'right'`);
    const password = (value: string) =>
      withUrl((url) => {
        url.username = role;
        url.password = value;
      });
    await expect(startWith(password('wrong'))).rejects.toThrow(/^Invalid configuration:\n {2}DATABASE_URL: authentication failed/);

    await expect(startWith(withUrl((url) => (url.pathname = '/no_such_database')))).rejects.toThrow(
      /^Invalid configuration:\n {2}DATABASE_URL: the database does not exist/,
    );
  });
});
