import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteDB, getDb, transaction } from '@/db';
import { eq } from 'drizzle-orm';
import { users } from '@/db/schema';
import { createApiToken, findUserByApiToken } from '@/lib/auth/api-tokens';
import { countCommentsByStatus, listCommentsForModeration, listPostsWithComments } from '@/lib/comments/moderation-queue';
import { createComment } from '@/lib/comments/submission';
import { getAdminComment, getApprovedComment, getOwnCommentSources, listOwnHeldComments, listApprovedComments } from '@/lib/comments/reads';
import { feedResponse } from '@/lib/content/feeds';
import { nextPublicationTime, postsGoneLive } from '@/lib/content/publication-clock';
import { loadPostList, loadPostPage, loadTag, loadTags } from '@/lib/pages/page-data';
import {
  countPostsForAuthor,
  getLivePostForComments,
  getPostById,
  listPostsForAuthor,
  listPublishedPosts,
  postExists,
} from '@/lib/content/posts';
import { hit, reserveAttempt } from '@/lib/rate-limit';
import { issueCommenterId } from '@/lib/comments/reader-cookies';
import { updateCommentSettings } from '@/lib/comments/settings';
import { SIGN_IN_BACKOFF } from '@/lib/auth/sign-in';
import { searchPosts } from '@/lib/content/search';
import { changePassword } from '@/lib/auth/account';
import {
  countSessions,
  createSession,
  deleteSession,
  endOtherSessions,
  getSessionUser,
  startSessionIfPasswordIs,
} from '@/lib/auth/sessions';
import { createUser, verifyCredentials } from '@/lib/auth/users';
import { SharedCacheTags, inAppTransaction } from '@/lib/shared-cache-tags/sqlite';
import { PostgresCacheTags } from '@/lib/shared-cache-tags/postgres';
import { sitemapIndexResponse, sitemapShardResponse } from '@/lib/content/sitemaps';
import { addressForLimits } from '@/lib/http';
import { dialect } from './dialect';
import { makeComment, makePost } from './helpers';

/*
 * Every query the pages and endpoints run, captured as it runs, must be answered from an index: its
 * plan may not show a full scan of a table that grows with the blog, whatever the data size. And no
 * page does a query per item (N+1): the number of statements does not grow with the data. The list
 * of query paths below is checked on both databases; only capturing and reading plans differ.
 */

/** A statement the app ran, with its parameters. */
interface Captured {
  sql: string;
  args: unknown[];
}

/**
 * Tables that may be read whole: a bounded handful of rows each (the site's settings by key, its
 * logo and icon), read in full on purpose. Every other table grows with the blog and is checked.
 */
const SMALL_TABLES = new Set(['settings', 'site_assets']);

interface PlanReader {
  /** Calls `record` with every statement the app runs from now on; answers how to stop. */
  start(record: (statement: Captured) => void): Promise<() => void>;
  /** The statement's plan, and the tables (not small ones) it reads in full. */
  explain(statement: Captured): Promise<{ plan: string; fullScans: string[] }>;
}

/**
 * SQLite: statements captured on both its connections (reads and writes) by wrapping better-sqlite3's
 * prepare; EXPLAIN QUERY PLAN on the one for reads. Without ANALYZE statistics SQLite plans as for
 * large tables, which is what matters here. A bare "SCAN x" (x a table, or its alias) reads x whole,
 * in rowid order; it stops early only under ORDER BY x.id … LIMIT with no sorting after it. Not so
 * "SCAN x USING [COVERING] INDEX" (in the index's order, for ORDER BY … LIMIT, or from the index
 * alone, for counts) and an FTS5 table's own "SCAN x VIRTUAL TABLE INDEX".
 */
function sqlitePlans(): PlanReader {
  let prepareUncaptured: (source: string) => Database.Statement<unknown[]>;
  return {
    async start(record) {
      const reader = (getDb() as unknown as SqliteDB).$client;
      const writer = await transaction(async (tx) => (tx as unknown as SqliteDB).$client);
      const readerPrepare = reader.prepare;
      prepareUncaptured = (source) => readerPrepare.call(reader, source);
      let recording = true;
      const restore: (() => void)[] = [() => (recording = false)];
      // The connections keep their compiled statements (db/index.ts), so each is wrapped once.
      const wrapped = new WeakSet<Database.Statement>();
      for (const connection of new Set([reader, writer])) {
        const prepare = connection.prepare;
        restore.push(() => (connection.prepare = prepare));
        connection.prepare = function (this: Database.Database, source: string) {
          const statement = prepare.call(this, source);
          if (wrapped.has(statement)) return statement;
          wrapped.add(statement);
          for (const method of ['all', 'get', 'run', 'iterate'] as const) {
            const run = statement[method] as (...args: unknown[]) => unknown;
            (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
              if (recording) record({ sql: source, args });
              return run.apply(statement, args);
            };
          }
          return statement;
        } as Database.Database['prepare'];
      }
      return () => restore.forEach((undo) => undo());
    },
    async explain({ sql, args }) {
      const details = (prepareUncaptured(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((row) => row.detail);
      const { tables, results } = names(sql);
      const byId = /\border by "?(\w+)"?\."id"(?: asc| desc)? limit\b/i.exec(sql)?.[1];
      const stopsEarly = (table: string) => table === byId && !details.includes('USE TEMP B-TREE FOR ORDER BY');
      const fullScans = details
        .map((detail) => /^SCAN (\w+)$/.exec(detail)?.[1])
        .filter((name) => name !== undefined)
        .map((name) => tables.get(name) ?? name)
        .filter((table) => !results.has(table) && !SMALL_TABLES.has(table) && !stopsEarly(table));
      return { plan: details.join('\n'), fullScans };
    },
  };
}

/**
 * What a SQLite plan may call a table: its name or its alias (`FROM posts p` makes "p" posts); and
 * the statement's own results, which are no tables: its common table expressions (`WITH hits AS (…)`,
 * `candidates (id, score) AS (…)`).
 */
function names(sql: string): { tables: Map<string, string>; results: Set<string> } {
  const tables = new Map<string, string>();
  for (const [, table, alias] of sql.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?(?:\s+(?:AS\s+)?"?(\w+)"?)?/gi)) {
    tables.set(table!, table!);
    if (alias && !/^(WHERE|ON|USING|SET|JOIN|LEFT|INNER|CROSS|ORDER|GROUP|LIMIT|VALUES|SELECT|DEFAULT|WHEN|UNION)$/i.test(alias)) {
      tables.set(alias, table!);
    }
  }
  const results = new Set(
    [...sql.matchAll(/\b(\w+)\s*(?:\([\w\s,]*\)\s*)?AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(/gi)].map(([, name]) => name!),
  );
  return { tables, results };
}

/**
 * PostgreSQL: statements captured on every connection Drizzle's pool hands out (for reads and for
 * transactions), explained with their parameters in a transaction that is rolled back. Sequential
 * scans, hash joins and merge joins are turned off: on tables this small the planner would rightly
 * read whole tables, so a Seq Scan that remains means no index can answer the statement.
 *
 * A table is read whole through an index too, when the scan does not constrain the index's leading
 * column (no Index Cond, or one on a B-tree's later columns only). An Index Scan like that right
 * under a Limit stops early (SQLite's walk for ORDER BY … LIMIT). One that keeps every row it reads,
 * with no Limit or filter above, is the statement asking for the whole table (a count, as SQLite's
 * covering-index scans). Otherwise, as such plans are only the cheapest on tiny tables, the statement
 * is explained again with index scans off, then with bitmap scans off: the table is read whole only
 * if every plan reads it whole.
 */
function postgresPlans(): PlanReader {
  const pool = (getDb() as unknown as { $client: pg.Pool }).$client;
  let indexes: Promise<Map<string, PostgresIndex>> | undefined;
  return {
    async start(record) {
      // Plans as the empty tables had them: an automatic ANALYZE or VACUUM at a moment of its own
      // would change them in the middle of a run, and from one run to the next.
      const { rows } = await pool.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
      for (const { name } of rows) await pool.query(`ALTER TABLE ${pg.escapeIdentifier(name)} SET (autovacuum_enabled = false)`);
      const wrapped = new Map<pg.PoolClient, pg.PoolClient['query']>();
      const wrap = (client: pg.PoolClient) => {
        if (wrapped.has(client)) return;
        const query = client.query;
        wrapped.set(client, query);
        client.query = function (this: pg.PoolClient, config: string | pg.QueryConfig, values?: unknown, ...rest: unknown[]) {
          const sql = typeof config === 'string' ? config : config.text;
          record({ sql, args: (Array.isArray(values) ? values : typeof config === 'string' ? [] : config.values) ?? [] });
          return (query as (...args: unknown[]) => unknown).call(this, config, values, ...rest);
        } as pg.PoolClient['query'];
      };
      // Every checkout, by pool.query (reads) and by pool.connect (transactions), new clients or idle ones.
      pool.on('acquire', wrap);
      return () => {
        pool.off('acquire', wrap);
        for (const [client, query] of wrapped) client.query = query;
      };
    },
    async explain({ sql, args }) {
      indexes ??= pool.query<PostgresIndex & { name: string }>(INDEXES).then(({ rows }) => new Map(rows.map((row) => [row.name, row])));
      const known = await indexes;
      const explain = async (off: string[]) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          for (const setting of off) await client.query(`SET LOCAL ${setting} = off`);
          const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PostgresPlan }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, args);
          const root = rows[0]!['QUERY PLAN'][0].Plan;
          return { whole: wholeReads(root, known), plan: describePlan(root) };
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
      };
      const off = ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin'];
      const looks = [await explain(off)];
      let whole = looks[0]!.whole.filter((table) => !SMALL_TABLES.has(table));
      for (const also of [['enable_indexscan', 'enable_indexonlyscan'], ['enable_bitmapscan']]) {
        if (whole.length === 0) break;
        const look = await explain([...off, ...also]);
        looks.push(look);
        whole = whole.filter((table) => look.whole.includes(table));
      }
      return { plan: looks.map(({ plan }) => plan).join('\n(again, with more scans off)\n'), fullScans: whole };
    },
  };
}

/** Each index of the schema: its table, its access method, and its leading column (null for an expression). */
interface PostgresIndex {
  table: string;
  method: string;
  leading: string | null;
}

const INDEXES = `
  SELECT i.relname AS name, t.relname AS "table", am.amname AS method, a.attname AS leading
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_am am ON am.oid = i.relam
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
  WHERE t.relnamespace = 'public'::regnamespace`;

interface PostgresPlan {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Filter?: string;
  'Join Filter'?: string;
  Plans?: PostgresPlan[];
}

/** Nodes that pass rows on as they come, so that a Limit above them stops what is below (a nested loop: its outer side). */
const STREAMING = new Set(['Limit', 'Result', 'Subquery Scan', 'Unique', 'Append', 'Merge Append', 'Gather Merge', 'Nested Loop']);

/** The tables the plan reads whole, needlessly (see postgresPlans). */
function wholeReads(root: PostgresPlan, indexes: Map<string, PostgresIndex>): string[] {
  const found: string[] = [];
  /** `stopped`: a Limit above stops this node early; `kept`: every row that gets here is in the result. */
  const visit = (node: PostgresPlan, stopped: boolean, kept: boolean) => {
    const type = node['Node Type'];
    const index = node['Index Name'] === undefined ? undefined : indexes.get(node['Index Name']);
    const table = node['Relation Name'] ?? index?.table;
    const condition = node['Index Cond'] ?? '';
    // Conditions name the scanned table's columns bare, and another table's qualified ("s.post_id").
    const leadingFree =
      index?.method === 'btree' && index.leading !== null && !new RegExp(`(?<![\\w."])"?${index.leading}\\b`).test(condition);
    const whole = type === 'Seq Scan' || (leadingFree && (type === 'Bitmap Index Scan' || !stopped));
    if (table !== undefined && whole && !(kept && !condition && !node.Filter)) found.push(table);
    (node.Plans ?? []).forEach((child, i) => {
      // A nested loop reads its inner side (the second) again for each row of the outer one.
      const outer = type !== 'Nested Loop' || i === 0;
      visit(
        child,
        outer && (type === 'Limit' || (stopped && STREAMING.has(type))),
        kept && type !== 'Limit' && !node.Filter && !node['Join Filter'] && !node['Recheck Cond'],
      );
    });
  };
  visit(root, false, true);
  return found;
}

/** A plan as EXPLAIN's text shows it, only shorter: one line a node, with its table, index and conditions. */
function describePlan(node: PostgresPlan, depth = 0): string {
  const { 'Node Type': type, 'Relation Name': table, 'Index Name': index, 'Index Cond': condition, Filter: filter } = node;
  const line = [
    '  '.repeat(depth) + type,
    table && `on ${table}`,
    index && `using ${index}`,
    condition && `[${condition}]`,
    filter && `filter ${filter}`,
  ];
  return [line.filter(Boolean).join(' '), ...(node.Plans ?? []).map((child) => describePlan(child, depth + 1))].join('\n');
}

const plans = dialect === 'postgres' ? postgresPlans() : sqlitePlans();
let recording: Captured[] | undefined;
let stop: () => void = () => undefined;

beforeAll(async () => {
  stop = await plans.start((statement) => recording?.push(statement));
});

afterAll(() => stop());

/** Runs `work` and answers the statements it ran (reads and writes; not BEGIN, COMMIT and the like). */
async function capture(work: () => unknown): Promise<Captured[]> {
  recording = [];
  try {
    await work();
    return recording.filter(({ sql }) => /^\s*(SELECT|WITH|UPDATE|DELETE|INSERT)/i.test(sql));
  } finally {
    recording = undefined;
  }
}

async function drain(response: Response | Promise<Response>) {
  await (await response).text();
}

describe('query plans', () => {
  let slug: string;
  let postId: number;
  let commentId: number;
  let userId: number;

  beforeAll(async () => {
    userId = (await createUser({ email: 'ann@example.test', name: 'Ann', password: 'correct horse battery' })).id;
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
    [
      "each process's publication clock",
      () =>
        Promise.all([nextPublicationTime(new Date().toISOString()), postsGoneLive('2026-01-01T00:00:00.000Z', new Date().toISOString())]),
    ],
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
    ['own held comments', async () => listOwnHeldComments(slug, (await issueCommenterId()).cookie)],
    ['session', () => getSessionUser('no-such-session')],
    ['api token', () => findUserByApiToken('no-such-token')],
    [
      'sign-in, its session and a token used',
      async () => {
        await verifyCredentials('ann@example.test', 'wrong password');
        const { token } = await createSession(userId);
        await getSessionUser(token);
        await deleteSession(token);
        await findUserByApiToken((await createApiToken(userId, 'Used')).token);
      },
    ],
    [
      'the account: a session started, sessions counted and ended, the password changed',
      async () => {
        const ann = { id: userId, email: 'ann@example.test', name: 'Ann' };
        const [{ passwordHash }] = (await getDb().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId))) as [
          { passwordHash: string },
        ];
        const { token } = (await startSessionIfPasswordIs(userId, passwordHash))!;
        await countSessions(userId);
        await endOtherSessions(userId, token);
        // Last of the reads that sign in: from here on Ann's password is the new one.
        await changePassword(
          ann,
          { currentPassword: 'correct horse battery', newPassword: 'another horse battery' },
          addressForLimits('127.0.0.9'),
        );
      },
    ],
    [
      'cache tags expired for every process',
      async () => {
        if (dialect === 'postgres') {
          const tags = new PostgresCacheTags();
          await tags.start(); // catches up on the expiries written while it was not listening
          await tags.expire(['post:1']);
          await tags.stop();
        } else {
          const tags = new SharedCacheTags(await transaction(async (tx) => tx as unknown as SqliteDB), Date.now, inAppTransaction);
          await tags.expire(['post:1']);
        }
      },
    ],
    [
      'rate limits',
      () => Promise.all([hit('comment:127.0.0.1', { max: 5, windowSeconds: 60 }), reserveAttempt('sign-in:x', SIGN_IN_BACKOFF.pair)]),
    ],
    [
      'returning commenter',
      async () => {
        await updateCommentSettings({ moderation: 'hold_first_time' });
        try {
          return await createComment(slug, { authorName: 'Ann', body: 'Again.' }, { commenterKey: 'returning' });
        } finally {
          await updateCommentSettings({ moderation: 'immediate' });
        }
      },
    ],
  ];

  it.each(reads)('%s reads through indexes only', async (_name, read) => {
    const statements = await capture(read);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const { plan, fullScans } = await plans.explain(statement);
      if (process.env.SHOW_PLANS) console.log(`${statement.sql}\n${plan}\n`);
      expect(fullScans, `${statement.sql}\n${plan}`).toEqual([]);
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
