import { expect, test } from '@playwright/test';
import { type Answer, killAllServers, requestOnce as request, removeTempDatabases, startServer, tempDatabasePath } from './server-process';

/*
 * A scheduled post goes live at its time on every cached answer: the home page, its own page (a
 * cached 404 until then), its tag's page and feed, the feeds, the sitemap and the API, in every
 * worker. Each answer is cached after the post was scheduled (the write itself expired the caches),
 * so only the publication time can expire them. The bound, 5 s after the time, is what "goes live
 * at its time" means here, not a speed target: before the fix, answers kept their pre-publication
 * copy until the cache's 60-second revalidation, up to a minute late.
 */

test.describe.configure({ mode: 'serial' });
test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

/** How late after its time a scheduled post may still be missing from an answer. */
const BOUND_MS = 5_000;
/** How far ahead the post is scheduled: room to cache every answer (in both workers) before the time. */
const AHEAD_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const workers of ['1', '2']) {
  test(`a scheduled post appears on every cached page, feed and sitemap at its time (WORKERS=${workers})`, async () => {
    test.setTimeout(120_000);
    const server = await startServer({ databasePath: tempDatabasePath('quire-schedule-'), env: { WORKERS: workers } });
    const title = `Right on time ${workers}`;
    const slug = `right-on-time-${workers}`;
    const at = new Date(Date.now() + AHEAD_MS);
    at.setMilliseconds(0);
    const created = await request(`${server.url}/api/posts`, {
      method: 'POST',
      json: { title, slug, body: 'Published by the clock.', tags: ['Timely'], status: 'scheduled', publishedAt: at.toISOString() },
    });
    expect(created.status, created.body).toBe(201);
    const { updatedAt } = JSON.parse(created.body) as { updatedAt: string };

    /** Each answer, and what it shows once the post is live. */
    const checks: [path: string, live: (answer: Answer) => boolean][] = [
      ['/', (a) => a.body.includes(title)],
      [`/posts/${slug}`, (a) => a.status === 200 && a.body.includes(title)],
      ['/tags/timely', (a) => a.status === 200 && a.body.includes(title)],
      ['/tags/timely/feed.xml', (a) => a.status === 200 && a.body.includes(title)],
      ['/feed.xml', (a) => a.body.includes(title)],
      ['/atom.xml', (a) => a.body.includes(title)],
      ['/feed.json', (a) => a.body.includes(title)],
      ['/api/posts', (a) => a.body.includes(slug)],
      // The index's lastmod of the posts' shard becomes the post's last change once it is live.
      ['/sitemap.xml', (a) => a.body.includes(updatedAt)],
      ['/sitemaps/posts-1.xml', (a) => a.body.includes(`/posts/${slug}<`)],
    ];

    // Cache every answer in every worker before the time: none shows the post yet.
    for (let round = 0; round < 2 * Number(workers); round++) {
      for (const [path, live] of checks) expect(live(await request(`${server.url}${path}`)), `${path} before the time`).toBe(false);
    }
    expect(Date.now(), 'the answers were cached before the publication time').toBeLessThan(at.getTime() - 1_000);

    // Then read them all, over and over, until a while after the bound; note when each last lacked the post.
    await sleep(Math.max(0, at.getTime() - 1_000 - Date.now()));
    const lastMissing = new Map<string, number>();
    while (Date.now() < at.getTime() + BOUND_MS + 3_000) {
      for (const [path, live] of checks) {
        const asked = Date.now();
        if (!live(await request(`${server.url}${path}`))) lastMissing.set(path, asked);
      }
    }
    const late = [...lastMissing]
      .filter(([, asked]) => asked > at.getTime() + BOUND_MS)
      .map(([path, asked]) => `${path} still without the post ${((asked - at.getTime()) / 1000).toFixed(1)} s after its time`);
    expect(late).toEqual([]);
    await server.stop();
  });
}
