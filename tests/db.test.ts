import { count, eq, lt, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getDatabaseHealth, getDb, preparedQuery, queryRows, transaction, writeStatement } from '@/db';
import { comments, posts } from '@/db/schema';
import { getCommentTree } from '@/lib/comments/reads';
import { deletePost, getAdjacentPosts, getLivePostForComments, getPublishedPost, listPublishedPosts } from '@/lib/content/posts';
import { dialect, onlyOn } from './dialect';
import { makeComment, makePost, resetDatabase, sqliteReader as sqlite } from './helpers';

beforeEach(resetDatabase);

describe('database', () => {
  it('applies every migration of its dialect to a new database', async () => {
    expect(await getDatabaseHealth()).toEqual(
      dialect === 'sqlite'
        ? { database: 'ok', migrations: 14, version: '0013_summary_source' }
        : { database: 'ok', migrations: 5, version: '0004_summary_source' },
    );
  });

  onlyOn('sqlite', 'SQLite pragmas').it('tunes the SQLite connection', () => {
    expect(sqlite().pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite().pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite().pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  onlyOn('sqlite', 'better-sqlite3’s compiled statements').it(
    'compiles each statement once and hands it out only when it is free',
    async () => {
      const source = 'SELECT id, slug FROM posts ORDER BY id';
      const statement = sqlite().prepare(source);
      expect(sqlite().prepare(source)).toBe(statement);
      await makePost({ slug: 'first' });
      await makePost({ slug: 'second' });
      // Drizzle reads a select with named fields in raw mode; the next caller gets rows as objects.
      expect(statement.raw(true).all()).toEqual([expect.any(Array), expect.any(Array)]);
      expect(sqlite().prepare(source).all()).toEqual([
        expect.objectContaining({ slug: 'first' }),
        expect.objectContaining({ slug: 'second' }),
      ]);
      // While one caller iterates the statement, another gets a statement of its own.
      const seen: string[] = [];
      for (const row of statement.iterate() as Iterable<{ slug: string }>) {
        seen.push(row.slug, ...(sqlite().prepare(source).all() as { slug: string }[]).map((inner) => inner.slug));
      }
      expect(seen).toEqual(['first', 'first', 'second', 'second', 'first', 'second']);
    },
  );

  it('keeps comment counts exact through inserts, status changes and deletes', async () => {
    const post = await makePost();
    const first = await makeComment(post.slug);
    await makeComment(post.slug, { parentId: first.id });
    const commentCount = async () => (await listPublishedPosts({ limit: 10 })).data[0]!.commentCount;
    const setStatus = (status: 'spam' | 'approved') =>
      transaction((tx) => tx.update(comments).set({ status }).where(eq(comments.id, first.id)));
    expect(await commentCount()).toBe(2);
    await setStatus('spam');
    expect(await commentCount()).toBe(1);
    await setStatus('approved');
    expect(await commentCount()).toBe(2);
    // Deleting a comment deletes its replies too.
    await transaction((tx) => tx.delete(comments).where(eq(comments.id, first.id)));
    expect(await commentCount()).toBe(0);
  });

  it('deletes a post with its comments', async () => {
    const post = await makePost();
    await makeComment(post.slug);
    await deletePost(post.slug);
    expect(await getDb().select({ n: count() }).from(comments)).toEqual([{ n: 0 }]);
  });

  it('refuses invalid rows at the database level too', async () => {
    const insert = (status: string, publishedAt: string | null) =>
      transaction((tx) =>
        tx.insert(posts).values({
          slug: `s-${Math.random()}`,
          title: 't',
          body: 'b',
          html: 'b',
          status: status as 'draft',
          publishedAt,
          createdAt: '',
          updatedAt: '',
        }),
      );
    // Drizzle wraps the driver's error (PostgreSQL's names the constraint in its cause).
    const isCheckViolation = (error: unknown) => /check/i.test(`${String(error)} ${String((error as Error).cause)}`);
    await expect(insert('archived', null)).rejects.toSatisfy(isCheckViolation);
    await expect(insert('published', null)).rejects.toSatisfy(isCheckViolation);
    await insert('draft', null);
  });

  // PostgreSQL's planner scans a table this small whatever its indexes; db/postgres/schema.ts declares the same ones.
  onlyOn('sqlite', 'reads SQLite’s EXPLAIN QUERY PLAN').describe('query plans', () => {
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
  });

  it('keeps a transaction that awaits to itself: others neither see it before it commits nor end up inside it', async () => {
    const slugs = async () => (await getDb().select({ slug: posts.slug }).from(posts)).map((row) => row.slug).sort();
    const row = (slug: string) => ({ slug, title: slug, body: 'b', html: 'b' });
    let inside!: () => void;
    const insideReached = new Promise<void>((resolve) => (inside = resolve));
    let finish!: () => void;
    const finishAllowed = new Promise<void>((resolve) => (finish = resolve));
    // A inserts a post, then waits (another request's turn), then fails: its insert must vanish.
    const a = transaction(async (tx) => {
      await tx.insert(posts).values(row('from-a'));
      inside();
      await finishAllowed;
      throw new Error('A fails after awaiting');
    });
    await insideReached;
    // While A is open: a read elsewhere does not see A's insert, and B's own write is not part of A.
    expect(await slugs()).toEqual([]);
    const b = transaction(async (tx) => {
      await tx.insert(posts).values(row('from-b'));
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish();
    await expect(a).rejects.toThrow('A fails after awaiting');
    await b;
    expect(await slugs()).toEqual(['from-b']);
  });

  it('runs work a transaction left behind (a callback after it committed) in a transaction of its own', async () => {
    const slugs = async () => (await getDb().select({ slug: posts.slug }).from(posts)).map((row) => row.slug).sort();
    const row = (slug: string) => ({ slug, title: slug, body: 'b', html: 'b' });
    let late!: Promise<void>;
    await transaction(async (tx) => {
      await tx.insert(posts).values(row('first'));
      // Created inside the transaction, so it carries its context, and runs after it committed.
      late = new Promise((resolve) => setTimeout(resolve, 30)).then(() =>
        // A transaction of its own, so its own \`tx\` (the name the Drizzle lint rules see).
        transaction(async (tx) => {
          await tx.insert(posts).values(row('late'));
        }),
      );
    });
    // Open and failing when the late work runs: joining it would lose the late post with it.
    let inside!: () => void;
    const insideReached = new Promise<void>((resolve) => (inside = resolve));
    const failing = transaction(async (tx) => {
      await tx.insert(posts).values(row('failing'));
      inside();
      await new Promise((resolve) => setTimeout(resolve, 60));
      throw new Error('fails');
    });
    await insideReached;
    await expect(failing).rejects.toThrow('fails');
    await late;
    expect(await slugs()).toEqual(['first', 'late']);
  });

  it('builds a prepared query once per connection, runs it where getDb() points and with fresh values', async () => {
    let builds = 0;
    const slugsBefore = preparedQuery((db) => {
      builds++;
      return db
        .select({ slug: posts.slug })
        .from(posts)
        .where(lt(posts.createdAt, sql.placeholder('before')))
        .orderBy(posts.slug);
    });
    const slugs = async (before = '9999') => (await slugsBefore({ before })).map((row) => row.slug);
    expect(await slugs()).toEqual([]);
    await makePost({ slug: 'first' });
    // Rows written since it was built, and the values of this call: nothing is kept but the statement.
    expect(await slugs()).toEqual(['first']);
    expect(await slugs('2000')).toEqual([]);
    let inside!: () => void;
    const insideReached = new Promise<void>((resolve) => (inside = resolve));
    let finish!: () => void;
    const finishAllowed = new Promise<void>((resolve) => (finish = resolve));
    const open = transaction(async (tx) => {
      await tx.insert(posts).values({ slug: 'uncommitted', title: 't', body: 'b', html: 'b' });
      // Inside the transaction it reads the transaction's own write...
      expect(await slugs()).toEqual(['first', 'uncommitted']);
      inside();
      await finishAllowed;
      throw new Error('rolled back');
    });
    await insideReached;
    // ...which a read elsewhere does not see, before or after it rolls back.
    expect(await slugs()).toEqual(['first']);
    finish();
    await expect(open).rejects.toThrow('rolled back');
    expect(await slugs()).toEqual(['first']);
    // SQLite: once for reads and once for the writer, which every transaction uses. PostgreSQL:
    // once on the pool, then once in each transaction (a transaction is a connection of its own).
    await transaction(async () => expect(await slugs()).toEqual(['first']));
    expect(builds).toBe(dialect === 'sqlite' ? 2 : 3);
  });

  it('runs a one-statement write on the writer, and inside the transaction that is open', async () => {
    const insertPost = (slug: string) => writeStatement(() => getDb().insert(posts).values({ slug, title: slug, body: 'b', html: 'b' }));
    // On SQLite the connection for reads refuses writes: this one went to the writer.
    await insertPost('alone');
    await expect(
      transaction(async () => {
        await insertPost('with-the-transaction');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const slugs = (await getDb().select({ slug: posts.slug }).from(posts)).map((row) => row.slug);
    expect(slugs).toEqual(['alone']);
  });

  onlyOn('postgres', 'autocommit is how PostgreSQL runs a statement outside a transaction').it(
    'sends a one-statement write alone on PostgreSQL, without BEGIN and COMMIT around it',
    async () => {
      // pg_stat_activity: a statement in a transaction of its own started when its transaction did.
      const ownTransaction = async () =>
        (
          await writeStatement(() =>
            queryRows<{ own: boolean }>(sql`SELECT xact_start = query_start AS own FROM pg_stat_activity WHERE pid = pg_backend_pid()`),
          )
        )[0]!.own;
      expect(await ownTransaction()).toBe(true);
      await transaction(async () => {
        await queryRows(sql`SELECT 1`);
        expect(await ownTransaction()).toBe(false);
      });
    },
  );

  it('asks prepared queries about the time of each call: a scheduled post goes live when its time comes', async () => {
    const { id, publishedAt } = await makePost({ slug: 'earlier' });
    const earlier = { id, publishedAt: publishedAt! };
    const inAnHour = new Date(Date.now() + 60 * 60_000).toISOString();
    await makePost({ slug: 'scheduled', status: 'scheduled', publishedAt: inAnHour });
    // Each query runs once before the time, so a statement built then is what runs after it.
    expect(await getPublishedPost('scheduled')).toBeUndefined();
    expect(await getLivePostForComments('scheduled')).toBeUndefined();
    expect((await getAdjacentPosts(earlier)).next).toBeUndefined();
    await makeComment('earlier');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse(inAnHour) + 1000 });
    try {
      expect(await getPublishedPost('scheduled')).toMatchObject({ slug: 'scheduled' });
      expect(await getLivePostForComments('scheduled')).toMatchObject({ commentsEnabled: true });
      expect((await getAdjacentPosts(earlier)).next).toEqual({ slug: 'scheduled', title: expect.any(String) });
      // A comment's creation time is a value of the insert too, not a default taken when it was built.
      expect((await makeComment('scheduled')).createdAt).toBe(new Date().toISOString());
    } finally {
      vi.useRealTimers();
    }
  });

  it('builds the comment tree in one pass, with replies under their parent', async () => {
    const post = await makePost();
    const a = await makeComment(post.slug, { body: 'a' });
    const b = await makeComment(post.slug, { body: 'b', parentId: a.id });
    await makeComment(post.slug, { body: 'c', parentId: b.id });
    await makeComment(post.slug, { body: 'd' });
    const tree = await getCommentTree(post.id);
    expect(tree.map((c) => c.html)).toEqual(['<p>a</p>', '<p>d</p>']);
    expect(tree[0]!.replies[0]!.replies[0]!.html).toBe('<p>c</p>');
  });
});
