import http from 'node:http';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../tests/postgres-server';
import { type RedisServer, redisSkipReason, startRedis } from '../tests/redis-server';
import { ADMIN, LOAD_SERVER_ENV, prepareBlog, startCommentLoad } from './comment-load';
import { type ServerProcess, killAllServers, removeTempDatabases, startServer, tempDatabasePath, waitFor } from './server-process';
import { isInSitemap } from './sitemap-helpers';

/*
 * DATABASE_URL: Quire instances on different ports over one PostgreSQL (and one Redis), as
 * machines behind a load balancer would run. A write through either is read through the other on
 * the next request; killing one under comment load costs the other nothing and loses no comment
 * it acknowledged. And WORKERS=2 over PostgreSQL without Redis: cache-tag expiry travels by
 * LISTEN/NOTIFY (lib/shared-cache-tags/postgres.ts).
 */

test.describe.configure({ mode: 'serial' });
// Skipped only off CI on a machine without PostgreSQL or redis-server (the reasons name the install
// command); CI installs both and always runs this.
test.skip(!!postgresSkipReason || !!redisSkipReason, postgresSkipReason ?? redisSkipReason);

let postgres: PostgresServer;
let redis: RedisServer;
test.beforeAll(async () => {
  test.setTimeout(60_000);
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
});
test.afterAll(async () => {
  await killAllServers();
  await Promise.all([postgres?.stop(), redis?.stop()]);
  removeTempDatabases();
});

let databases = 0;
/** A server on a new PostgreSQL database (or `url`'s), with demo content on the first start. */
async function startOn(url: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer({ databasePath: tempDatabasePath('quire-pg-'), env: { DATABASE_URL: url, SITE_URL: 'http://blog.test', ...env } });
}
const newDatabase = () => postgres.createDatabase(`quire_e2e_${++databases}`);

const write = (url: string, json: unknown) => fetch(url, { method: 'POST', headers: ADMIN, body: JSON.stringify(json) });

/** The comments of a post, read from PostgreSQL itself, and the post's comment_count kept by triggers. */
async function readComments(url: string, slug: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number; body: string; status: string }>(
      'SELECT c.id, c.body, c.status FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug = $1',
      [slug],
    );
    const { rows: counts } = await client.query<{ comment_count: number }>('SELECT comment_count FROM posts WHERE slug = $1', [slug]);
    return {
      bodies: new Map(rows.map((row) => [row.id, row.body])),
      approved: rows.filter((row) => row.status === 'approved').length,
      commentCount: counts[0]!.comment_count,
    };
  } finally {
    await client.end();
  }
}

test('two instances over one PostgreSQL and one Redis read each other’s writes on the next request', async () => {
  test.setTimeout(180_000);
  const url = await newDatabase();
  const env = { REDIS_URL: redis.url };
  const a = await startOn(url, env);
  const b = await startOn(url, env);
  // The first start made the schema and the demo content (startServer may have retried it on another
  // port, so its output is not checked); the second found them and added nothing.
  expect(b.output()).not.toMatch(/added \d+ demo posts/);
  for (const server of [a, b]) {
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { database: string; cache: string };
    expect(health).toMatchObject({ database: 'ok', cache: 'ok' });
  }

  const demo = ((await (await fetch(`${b.url}/api/posts`)).json()) as { data: { slug: string }[] }).data;
  expect(demo.length).toBeGreaterThan(5);
  const [post] = demo;
  const postPath = `/posts/${post!.slug}`;
  for (const server of [a, b])
    for (const path of [postPath, `/api/posts/${post!.slug}/comments`, '/feed.xml', '/sitemap.xml'])
      expect((await fetch(`${server.url}${path}`)).status).toBe(200);

  const commentText = `Seen on both instances over PostgreSQL ${Date.now()}`;
  const comment = await write(`${a.url}/api/posts/${post!.slug}/comments`, { authorName: 'Postgres tester', body: commentText });
  expect(comment.status, await comment.clone().text()).toBe(201);
  expect(await (await fetch(`${b.url}${postPath}`)).text()).toContain(commentText);
  expect(await (await fetch(`${b.url}/api/posts/${post!.slug}/comments`)).text()).toContain(commentText);

  const created = await write(`${a.url}/api/posts`, { title: `Across instances ${Date.now()}`, body: 'Hello.', status: 'published' });
  expect(created.status, await created.clone().text()).toBe(201);
  const { slug } = (await created.json()) as { slug: string };
  expect(await (await fetch(`${b.url}/feed.xml`)).text()).toContain(`/posts/${slug}`);
  expect(await isInSitemap(b.url, `/posts/${slug}`)).toBe(true);
  // Search runs on PostgreSQL's own full-text engine.
  const found = (await (await fetch(`${b.url}/api/search?q=${encodeURIComponent('across instances')}`)).json()) as {
    data: { slug: string }[];
  };
  expect(found.data.map((hit) => hit.slug)).toContain(slug);
});

test('SIGKILL one instance under comment load: the other answers every request, and every acknowledged comment is stored', async () => {
  test.setTimeout(120_000);
  const url = await newDatabase();
  const a = await startOn(url, { REDIS_URL: redis.url, ...LOAD_SERVER_ENV });
  const b = await startOn(url, { REDIS_URL: redis.url, ...LOAD_SERVER_ENV });
  const slug = await prepareBlog(a.url);
  const live = [a.url, b.url];
  const load = startCommentLoad({ clients: 16, targets: () => live, slug, tag: 'pg kill' });
  await waitFor(() => load.result.acked.length >= 200, 'comments to be acknowledged before the kill', 30_000, 5);
  // The balancer notices A is gone; requests already sent to A are cut with it.
  expect((await a.stop('SIGKILL')).signal).toBe('SIGKILL');
  live.splice(live.indexOf(a.url), 1);
  const killedAt = load.result.acked.length;
  await waitFor(() => load.result.acked.length >= killedAt + 200, 'B to take the load alone', 30_000, 5);
  const result = await load.stop();

  expect(result.rejected).toEqual([]);
  // Only requests in flight to A when it died got no answer.
  expect(result.networkErrors.filter((error) => !error.includes(a.url))).toEqual([]);
  const stored = await readComments(url, slug);
  const missing = result.acked.filter(({ id, body }) => stored.bodies.get(id) !== body);
  expect(missing, 'acknowledged comments missing from PostgreSQL').toEqual([]);
  expect(stored.bodies.size).toBeLessThanOrEqual(result.acked.length + result.networkErrors.length);
  expect(stored.commentCount).toBe(stored.approved);
  expect(b.output()).not.toMatch(/Unhandled error|Internal Server Error/);
  console.log(
    `[postgres] SIGKILL under load: ${result.acked.length} comments acknowledged (${killedAt} before the kill), ` +
      `${result.networkErrors.length} cut with A, 0 errors from B; ${stored.bodies.size} rows in PostgreSQL`,
  );
});

/** One request on a new connection (no keep-alive, which would stick to one worker). */
function request(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      })
      .once('error', reject);
  });
}

test('WORKERS=2 over PostgreSQL without Redis: a write through one worker is read through both on the next request', async () => {
  test.setTimeout(120_000);
  const server = await startOn(await newDatabase(), { WORKERS: '2' });
  const [post] = (JSON.parse(await request(`${server.url}/api/posts`)) as { data: { slug: string }[] }).data;
  const paths = [`/posts/${post!.slug}`, `/api/posts/${post!.slug}/comments`];
  // Both workers cache both paths.
  for (let n = 0; n < 6; n++) for (const path of paths) await request(`${server.url}${path}`);
  const text = `Through one worker ${Date.now()}`;
  const posted = await write(`${server.url}/api/posts/${post!.slug}/comments`, { authorName: 'Worker tester', body: text });
  expect(posted.status).toBe(201);
  const stale: string[] = [];
  for (let n = 0; n < 12; n++) for (const path of paths) if (!(await request(`${server.url}${path}`)).includes(text)) stale.push(path);
  expect(stale).toEqual([]);
  await server.stop('SIGTERM');
});

test('a DATABASE_URL that cannot be used stops start-up with a message naming it', async () => {
  const unreachable = `postgres://quire@127.0.0.1:${postgres.port + 1}/quire`;
  await expect(startOn(unreachable)).rejects.toThrow(/Invalid configuration:\n  DATABASE_URL: PostgreSQL is unreachable/);
  const missing = `postgres://quire@127.0.0.1:${postgres.port}/no_such_blog`;
  await expect(startOn(missing)).rejects.toThrow(/Invalid configuration:\n  DATABASE_URL: the database does not exist/);
  await expect(startOn('mysql://localhost/blog')).rejects.toThrow(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
});
