import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { killAllServers, requestOnce as request, removeTempDatabases, startServer, tempDatabasePath, waitFor } from './server-process';

/*
 * WORKERS=2 on SQLite without Redis (server/workers.mjs): both workers serve one port, a write
 * through either is read through both on the next request (server/cache-handler.mjs shares the
 * cache-tag expiry through the database), SIGTERM drains both, and a killed worker is replaced.
 * Every request here opens a connection of its own, so the primary hands them to both workers in turn.
 */

test.describe.configure({ mode: 'serial' });
test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

const workerPids = (output: string) => [...output.matchAll(/worker \d+ \(pid (\d+)\) is ready/g)].map((match) => Number(match[1]));
const ROUNDS = 12;

test('both workers serve, and a write through one is read through every worker on the next request', async () => {
  test.setTimeout(120_000);
  const server = await startServer({ databasePath: tempDatabasePath('quire-workers-'), env: { WORKERS: '2' } });
  try {
    expect(server.output()).toContain(`Quire: listening on ${server.url} (production, 2 workers)`);
    expect(workerPids(server.output())).toHaveLength(2);
    // The setup token is made once: a second worker would have replaced the first one's.
    expect(server.output().match(/no author account yet/g)).toHaveLength(1);

    const [post] = JSON.parse((await request(`${server.url}/api/posts`)).body).data as { slug: string }[];
    const paths = ['/', `/posts/${post!.slug}`, `/api/posts/${post!.slug}/comments`, '/feed.xml', '/sitemap.xml'];
    // Each worker renders a page once and then serves its own copy: two misses, then hits.
    const first = [];
    for (let n = 0; n < ROUNDS; n++) first.push((await request(`${server.url}/posts/${post!.slug}`)).cache);
    expect(
      first.filter((state) => state === 'MISS'),
      `cache states ${first.join(' ')}`,
    ).toHaveLength(2);
    for (const path of paths) for (let n = 0; n < ROUNDS; n++) expect((await request(`${server.url}${path}`)).status).toBe(200);

    /** Reads each path ROUNDS times and lists the answers that lack their text. */
    const staleAnswers = async (expected: [path: string, text: string][]) => {
      const stale: string[] = [];
      for (let n = 0; n < ROUNDS; n++)
        for (const [path, text] of expected) if (!(await request(`${server.url}${path}`)).body.includes(text)) stale.push(path);
      return stale;
    };

    // A comment expires its post's page and comment list, in the worker that took it and the other one.
    const commentText = `Seen by both workers ${Date.now()}`;
    const comment = await request(`${server.url}/api/posts/${post!.slug}/comments`, {
      method: 'POST',
      json: { authorName: 'Worker tester', body: commentText },
    });
    expect(comment.status, comment.body).toBe(201);
    const staleAfterComment = await staleAnswers([
      [`/posts/${post!.slug}`, commentText],
      [`/api/posts/${post!.slug}/comments`, commentText],
    ]);
    expect(staleAfterComment, 'answers without the new comment').toEqual([]);

    // A new post expires every list: the home page, the feed, the sitemap.
    const title = `Across workers ${Date.now()}`;
    const created = await request(`${server.url}/api/posts`, { method: 'POST', json: { title, body: 'Hello.', status: 'published' } });
    expect(created.status, created.body).toBe(201);
    const { slug } = JSON.parse(created.body) as { slug: string };
    const shards = [...(await request(`${server.url}/sitemap.xml`)).body.matchAll(/<loc>([^<]+)<\/loc>/g)].map(
      (m) => new URL(m[1]!).pathname,
    );
    const stale = await staleAnswers([
      ['/', title],
      ['/feed.xml', `/posts/${slug}`],
    ]);
    for (let n = 0; n < ROUNDS; n++) {
      const inSitemap = await Promise.all(
        shards.map(async (shard) => (await request(`${server.url}${shard}`)).body.includes(`/posts/${slug}`)),
      );
      if (!inSitemap.includes(true)) stale.push('sitemap');
    }
    expect(stale, 'answers without the new post or comment').toEqual([]);
  } finally {
    await server.stop();
  }
});

test('SIGTERM drains both workers and exits like one process; a killed worker is replaced', async () => {
  test.setTimeout(120_000);
  const databasePath = tempDatabasePath('quire-workers-');
  const server = await startServer({ databasePath, env: { WORKERS: '2' } });
  try {
    const [victim, survivor] = workerPids(server.output());
    expect(
      execFileSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number)
        .sort(),
    ).toEqual([victim, survivor].sort());
    process.kill(victim!, 'SIGKILL');
    await waitFor(() => server.output().includes('(SIGKILL); starting another'), 'the primary to see the worker die');
    // The other worker answers meanwhile.
    for (let n = 0; n < ROUNDS; n++) expect((await request(`${server.url}/api/health`)).status).toBe(200);
    await waitFor(() => workerPids(server.output()).length === 3, 'a new worker', 30_000);
    for (let n = 0; n < ROUNDS; n++) expect((await request(`${server.url}/`)).status).toBe(200);

    const exit = await server.stop('SIGTERM');
    // Both workers drained: the exit code is the one a single process gives after a clean drain.
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(server.output().match(/SIGTERM received/g)).toHaveLength(2);
  } finally {
    await server.stop();
  }
});
