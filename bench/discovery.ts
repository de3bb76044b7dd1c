/*
 * `npm run bench:discovery [-- --posts 100000]`: builds a throw-away database with that many
 * published posts (Markdown bodies, tags, search index), then measures full-text search and the
 * whole sitemap set (index plus every shard, streamed) and prints the numbers as a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { posts: { type: 'string', default: '100000' } } });
const POSTS = Number(values.posts);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-bench-'));
process.env.DATABASE_PATH = path.join(dir, 'bench.db');
process.env.SITE_URL = 'https://blog.example.com';

const { getDb, closeDb } = await import('@/db');
const { searchPosts } = await import('@/lib/search');
const { listShards, sitemapIndexResponse, sitemapShardResponse } = await import('@/lib/sitemaps');

const WORDS = (
  'sqlite server render cache index query page post comment reader author markdown feed sitemap search ' +
  'performance memory latency throughput browser network request response stream database table column ' +
  'write read lock journal backup restore deploy release version migration schema token session cookie ' +
  'design colour type layout grid mobile desktop keyboard focus contrast heading paragraph list link image'
).split(' ');
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');

function populate() {
  const sqlite = getDb().$client;
  const insertPost = sqlite.prepare(
    `INSERT INTO posts (slug, title, summary, body, html, status, published_at, word_count, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'published', ?, ?, ?, ?)`,
  );
  const insertFts = sqlite.prepare('INSERT INTO posts_fts (rowid, title, summary, body, tags) VALUES (?, ?, ?, ?, ?)');
  const insertTag = sqlite.prepare('INSERT INTO tags (slug, name) VALUES (?, ?)');
  const link = sqlite.prepare('INSERT INTO post_tags (post_id, tag_id, position) VALUES (?, ?, 0)');
  const tags = Array.from({ length: 200 }, (_, i) => Number(insertTag.run(`tag-${i}`, `Tag ${i}`).lastInsertRowid));
  const start = Date.parse('2020-01-01T00:00:00Z');
  sqlite.transaction(() => {
    for (let i = 0; i < POSTS; i++) {
      const title = `${words(5)} ${i}`;
      const body = `## ${words(3)}\n\n${words(120)}\n\n- ${words(10)}\n- ${words(10)}\n\n${words(80)}`;
      const time = new Date(start + i * 60_000).toISOString();
      const id = Number(insertPost.run(`post-${i}`, title, words(20), body, `<p>${body}</p>`, time, 230, time, time).lastInsertRowid);
      const tag = tags[i % tags.length]!;
      link.run(id, tag);
      insertFts.run(id, title, words(20), body, `Tag ${i % tags.length}`);
      if ((i + 1) % 10_000 === 0) process.stderr.write(`\r  seeded ${i + 1} / ${POSTS} posts`);
    }
  })();
  process.stderr.write('\n');
}

function timeIt(runs: number, fn: () => unknown) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs / 2)]!, max: times.at(-1)! };
}

async function drain(response: Response): Promise<number> {
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  return bytes;
}

populate();
const rows: string[] = [];
for (const q of ['sqlite', 'performance latency', 'sq', '"cache index"', 'stream -cookie', 'zzzz']) {
  const { p50, max } = timeIt(20, () => searchPosts(q, { limit: 20 }));
  rows.push(`| search \`${q}\` | ${p50.toFixed(1)} ms | ${max.toFixed(1)} ms | |`);
}

const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
let bytes = await drain(sitemapIndexResponse());
const shards = listShards();
for (const shard of shards) bytes += await drain(sitemapShardResponse(new URL(shard.url).pathname.split('/').pop()!));
const sitemapMs = performance.now() - t0;
const rssAfter = process.memoryUsage().rss;
rows.push(
  `| sitemap index + ${shards.length} shards (${(bytes / 1e6).toFixed(1)} MB) | ${sitemapMs.toFixed(0)} ms | | RSS ${(rssBefore / 1e6).toFixed(0)} → ${(rssAfter / 1e6).toFixed(0)} MB (peak ${(process.resourceUsage().maxRSS / 1e3).toFixed(0)} MB) |`,
);

console.log(`\nQuire discovery benchmark: ${POSTS.toLocaleString('en')} published posts, ${os.cpus().length} CPUs, Node ${process.version}\n`);
console.log('| what | p50 / total | max | memory |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(row);
closeDb();
fs.rmSync(dir, { recursive: true, force: true });
