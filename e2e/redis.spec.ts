import { expect, test } from '@playwright/test';
import { type RedisServer, redisSkipReason, startRedis } from '../tests/redis-server';
import { SERVER_ADMIN_TOKEN, killAllServers, removeTempDatabases, startServer, tempDatabasePath } from './server-process';
import { isInSitemap } from './sitemap-helpers';

/*
 * REDIS_URL: two Quire instances on different ports over one database file and one Redis, as two
 * machines behind a load balancer would run. A write through either is read through the other on
 * the next request; the other serves pages the first rendered (from Redis); a Redis that dies
 * leaves both answering, and /api/health says so.
 */

test.describe.configure({ mode: 'serial' });
// Skipped only off CI on a machine without redis-server (the reason names the install command); CI installs it and always runs this.
test.skip(!!redisSkipReason, redisSkipReason);

let redis: RedisServer | undefined;
test.afterAll(async () => {
  await killAllServers();
  await redis?.stop();
  removeTempDatabases();
});

const write = (url: string, json: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SERVER_ADMIN_TOKEN}` },
    body: JSON.stringify(json),
  });

test('two instances on one Redis share cached pages and read each other’s writes on the next request; Redis down leaves both serving', async () => {
  test.setTimeout(180_000);
  redis = await startRedis();
  const databasePath = tempDatabasePath('quire-redis-');
  // One SITE_URL, as behind one load balancer: the pages of both are the same pages.
  const env = { REDIS_URL: redis.url, SITE_URL: 'http://blog.test' };
  const a = await startServer({ databasePath, env });
  const b = await startServer({ databasePath, env });

  for (const server of [a, b]) {
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { cache: string };
    expect(health.cache).toBe('ok');
  }

  const [post] = ((await (await fetch(`${a.url}/api/posts`)).json()) as { data: { slug: string }[] }).data;
  const postPath = `/posts/${post!.slug}`;
  // A renders the page; B serves A's copy from Redis without rendering it.
  expect((await fetch(`${a.url}${postPath}`)).headers.get('x-nextjs-cache')).toBe('MISS');
  expect((await fetch(`${b.url}${postPath}`)).headers.get('x-nextjs-cache')).toBe('HIT');
  expect(redis.cli('--scan', '--pattern', 'quire:*:e:*')).toContain(postPath);

  // Warm both instances' view of everything the writes below change.
  for (const server of [a, b])
    for (const path of [postPath, `/api/posts/${post!.slug}/comments`, '/feed.xml', '/sitemap.xml'])
      expect((await fetch(`${server.url}${path}`)).status).toBe(200);

  // A comment posted on A is on B's page and in B's API on the next request.
  const commentText = `Seen on both instances ${Date.now()}`;
  const comment = await write(`${a.url}/api/posts/${post!.slug}/comments`, { authorName: 'Redis tester', body: commentText });
  expect(comment.status, await comment.clone().text()).toBe(201);
  expect(await (await fetch(`${b.url}${postPath}`)).text()).toContain(commentText);
  expect(await (await fetch(`${b.url}/api/posts/${post!.slug}/comments`)).text()).toContain(commentText);

  // A post published on A is in B's sitemap and feed on the next request.
  const title = `Across instances ${Date.now()}`;
  const created = await write(`${a.url}/api/posts`, { title, body: 'Hello.', status: 'published' });
  expect(created.status, await created.clone().text()).toBe(201);
  const { slug } = (await created.json()) as { slug: string };
  expect(await (await fetch(`${b.url}/feed.xml`)).text()).toContain(`/posts/${slug}`);
  expect(await isInSitemap(b.url, `/posts/${slug}`)).toBe(true);

  // Redis dies: both instances still answer (rendering every page), and say their cache is degraded.
  await redis.stop();
  for (const server of [a, b]) {
    for (const path of ['/', postPath, `/posts/${slug}`, '/api/posts', '/feed.xml']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, `${server.url}${path}`).toBe(200);
    }
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { cache: string }).cache).toBe('degraded');
  }
  // And writes still succeed, and are read on the other instance.
  const during = `Written while Redis is down ${Date.now()}`;
  expect((await write(`${b.url}/api/posts/${post!.slug}/comments`, { authorName: 'Redis tester', body: during })).status).toBe(201);
  expect(await (await fetch(`${a.url}${postPath}`)).text()).toContain(during);
});

test('a REDIS_URL that cannot be used stops start-up with a message naming it', async () => {
  const closed = await startRedis();
  await closed.stop();
  // One process and WORKERS=2 alike: the start-up work runs before the server listens (server/index.mjs warmUp).
  for (const env of [{}, { WORKERS: '2' }] as Record<string, string>[]) {
    const starting = startServer({ databasePath: tempDatabasePath('quire-redis-'), env: { REDIS_URL: closed.url, ...env } });
    await expect(starting).rejects.toThrow(/Invalid configuration:\n  REDIS_URL: cannot use redis:\/\/127\.0\.0\.1:\d+\/?: unreachable/);
  }
});
