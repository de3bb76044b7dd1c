/*
 * A fresh database with a large, realistic blog: published posts with Markdown bodies and tags,
 * a search index, and a commented post to measure. createPost renders Markdown and indexes each
 * post in its own transaction (about 10 ms a post here), too slow for 100,000 posts, so rows go in
 * through prepared statements, a few thousand per transaction, with the app's own pieces:
 * lib/render/markdown-pipeline.ts renders (in worker threads) and lib/content/search indexes. The first post is written
 * by createPost itself and the fast path is checked against it, so the two cannot drift apart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { DB, SqliteDB } from '@/db';
import { type Random, SEARCH_QUERIES, TAG_POOL, commentAuthor, commentBody, createRandom, postBody, postTags, postTitle } from './content';

export interface SeedOptions {
  posts: number;
  /** Approved comments (threads and replies) on the measured post. */
  comments: number;
  dir: string;
  siteUrl: string;
}

export interface Fixture {
  dbPath: string;
  posts: number;
  /** The newest post: first on the home page, with the comments. */
  measuredSlug: string;
  commentsOnMeasured: number;
  /** Recent posts that the mixed load reads and comments on. */
  hotSlugs: string[];
  /** Older posts that the comment-write scenario spreads its comments over. */
  writeSlugs: string[];
  /**
   * The post the hot-post write scenario sends every comment to: a popular post that already has
   * comments. Outside the posts the other scenarios read and write when the blog is large enough.
   */
  hotWriteSlug: string;
  commentsOnHotWrite: number;
  searchQueries: string[];
  seedSeconds: number;
  dbBytes: number;
}

interface PostInput {
  slug: string;
  title: string;
  summary?: string;
  body: string;
  tags: string[];
  publishedAt: string;
  updatedAt: string;
}

const BATCH = 2000;
const HOUR = 3_600_000;

/** Post `i` (0 is the newest) is the same in every run: its own random stream, its own time slot. */
function makePost(i: number, now: number): PostInput {
  const random = createRandom(1_000_003 * (i + 1));
  const title = postTitle(random);
  const published = now - HOUR - i * 53 * 60_000 - random.int(0, 40) * 60_000;
  // Now and then a post was edited after it went out, so sitemap lastmod values vary.
  const edited = random.next() < 0.15 ? Math.min(now - 60_000, published + random.int(1, 400) * HOUR) : published;
  return {
    slug: `${slugifyTitle(title)}-${i + 1}`,
    title,
    summary: random.next() < 0.3 ? `${title}: ${postTitle(random).toLowerCase()}, and what we learned.` : undefined,
    body: postBody(random),
    tags: postTags(random),
    publishedAt: new Date(published).toISOString(),
    updatedAt: new Date(edited).toISOString(),
  };
}

const slugifyTitle = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/** A post's HTML, plain text and automatic summary, as lib/render/markdown.ts's renderPost gives them. */
type Rendered = { html: string; text: string; summary: string };

/** Renders Markdown on every core but one's share, in order. */
function createRenderPool(size: number) {
  const file = new URL('./render-worker.ts', import.meta.url).href;
  // tsx's loader must be registered inside the worker before the TypeScript file is imported.
  const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); });`;
  const workers = Array.from({ length: size }, () => new Worker(source, { eval: true }));
  let nextId = 0;
  const waiting = new Map<number, { resolve: (rendered: Rendered[]) => void; reject: (error: Error) => void }>();
  for (const worker of workers) {
    worker.on('message', ({ id, rendered }: { id: number; rendered: Rendered[] }) => {
      waiting.get(id)?.resolve(rendered);
      waiting.delete(id);
    });
    worker.on('error', (error) => {
      for (const { reject } of waiting.values()) reject(error);
      waiting.clear();
    });
  }
  const renderChunk = (worker: Worker, bodies: string[]) =>
    new Promise<Rendered[]>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, bodies });
    });
  return {
    async render(bodies: string[]): Promise<Rendered[]> {
      const share = Math.ceil(bodies.length / workers.length);
      const parts = await Promise.all(workers.map((worker, w) => renderChunk(worker, bodies.slice(w * share, (w + 1) * share))));
      return parts.flat();
    },
    close: () => Promise.all(workers.map((worker) => worker.terminate())),
  };
}

function progressBar(total: number) {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastPrinted = -1;
  return (done: number) => {
    const percent = Math.floor((done / total) * 100);
    if (!tty && percent < lastPrinted + 10 && done < total) return;
    lastPrinted = percent;
    const seconds = (performance.now() - started) / 1000;
    const rate = done / Math.max(seconds, 0.001);
    const eta = done > 0 ? Math.ceil((total - done) / rate) : 0;
    const width = 30;
    const filled = Math.round((done / total) * width);
    const line = `  seeding [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} posts, ${Math.round(rate).toLocaleString('en')}/s, ETA ${eta}s`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    if (tty && done >= total) process.stderr.write('\n');
  };
}

export async function seedDatabase(options: SeedOptions): Promise<Fixture> {
  const started = performance.now();
  const dbPath = path.join(options.dir, 'quire-bench.db');
  // The lib reads its configuration once, from the environment, on first use.
  process.env.DATABASE_PATH = dbPath;
  // The seed is a SQLite file (--db postgres copies it afterwards): never the caller's own PostgreSQL.
  delete process.env.DATABASE_URL;
  process.env.SITE_URL = options.siteUrl;
  const { closeDb, getDb } = await import('@/db');
  const { countWords, createPost } = await import('@/lib/content/posts');
  const { renderPost } = await import('@/lib/render/markdown');
  const { indexPost } = await import('@/lib/content/search');
  const { updateCommentSettings } = await import('@/lib/comments/settings');
  const { slugify } = await import('@/lib/slug');

  const now = Date.now();

  // Anti-spam stays on but cannot reject a load generator: no minimum time to fill the form, the
  // highest rate limit allowed, comments published at once. Links, blocklist and depth as usual.
  await updateCommentSettings({ moderation: 'immediate', minSubmitSeconds: 0, commentRateLimit: { max: 10_000, windowSeconds: 1 } });

  const tagIds = await writeSqlite(async (sqlite) => {
    const insertTag = sqlite.prepare('INSERT INTO tags (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING');
    for (const name of TAG_POOL) insertTag.run(slugify(name), name);
    return new Map((sqlite.prepare('SELECT id, slug FROM tags').all() as { id: number; slug: string }[]).map((tag) => [tag.slug, tag.id]));
  });

  // As lib/content/posts.ts stores them: an empty summary follows the text, words are counted in the plain text.
  const derived = (input: PostInput, { text, summary }: Pick<Rendered, 'text' | 'summary'>) => ({
    summary: input.summary || summary,
    summaryAutomatic: input.summary ? 0 : 1,
    wordCount: countWords(text),
  });
  const insertFast = (posts: { input: PostInput; rendered: Rendered }[]) =>
    writeSqlite(async (sqlite) => {
      const insertPost = sqlite.prepare(
        `INSERT INTO posts (slug, title, summary, summary_automatic, body, html, status, published_at, word_count, created_at, updated_at)
         VALUES (@slug, @title, @summary, @summaryAutomatic, @body, @html, 'published', @publishedAt, @wordCount, @createdAt, @updatedAt)`,
      );
      const linkTag = sqlite.prepare('INSERT INTO post_tags (post_id, tag_id, position) VALUES (?, ?, ?)');
      for (const { input, rendered } of posts) {
        const { html, text } = rendered;
        const id = Number(insertPost.run({ ...input, ...derived(input, rendered), html, createdAt: input.publishedAt }).lastInsertRowid);
        const seen = new Set<string>();
        for (const name of input.tags) {
          const slug = slugify(name);
          if (seen.has(slug)) continue;
          linkTag.run(id, tagIds.get(slug)!, seen.size);
          seen.add(slug);
        }
        await indexPost(id, text);
      }
    });

  // Oldest first, so ids grow with publication time as they do on a real blog.
  const order = Array.from({ length: options.posts }, (_, k) => options.posts - 1 - k);
  const oldest = makePost(order[0]!, now);
  const { slug, title, summary, body, tags, publishedAt } = oldest;
  const reference = await createPost({ slug, title, summary, body, tags, publishedAt, status: 'published' });
  await writeSqlite(async (sqlite) => {
    sqlite.prepare('UPDATE posts SET created_at = ?, updated_at = ? WHERE id = ?').run(oldest.publishedAt, oldest.updatedAt, reference.id);
  });
  checkFastPathMatches(readSqlite(getDb), reference.id, oldest, derived(oldest, await renderPost(body)));

  const pool = createRenderPool(Math.max(1, os.availableParallelism()));
  const progress = progressBar(options.posts);
  progress(1);
  try {
    const batches: number[][] = [];
    for (let k = 1; k < order.length; k += BATCH) batches.push(order.slice(k, k + BATCH));
    const inputsOf = (batch: number[]) => batch.map((i) => makePost(i, now));
    let inputs = batches.length > 0 ? inputsOf(batches[0]!) : [];
    let rendering = pool.render(inputs.map((input) => input.body));
    let done = 1;
    for (let b = 0; b < batches.length; b++) {
      const rendered = await rendering;
      const current = inputs;
      // The next batch renders in the workers while this one is written.
      if (b + 1 < batches.length) {
        inputs = inputsOf(batches[b + 1]!);
        rendering = pool.render(inputs.map((input) => input.body));
      }
      await insertFast(current.map((input, j) => ({ input, rendered: rendered[j]! })));
      done += current.length;
      progress(done);
    }
  } finally {
    await pool.close();
  }

  const newest = makePost(0, now);
  const commentsOnMeasured = await addComments(newest, options.comments);

  const sqlite = readSqlite(getDb);
  const recent = sqlite.prepare("SELECT slug FROM posts WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?");
  const slugs = (recent.all(Math.min(options.posts, 2201)) as { slug: string }[]).map((row) => row.slug);
  const hotWriteSlug = slugs.length > 2200 ? slugs.pop()! : slugs.at(-1)!;
  const hotWritePost = sqlite.prepare('SELECT published_at AS publishedAt FROM posts WHERE slug = ?').get(hotWriteSlug) as {
    publishedAt: string;
  };
  const commentsOnHotWrite = await addComments({ slug: hotWriteSlug, publishedAt: hotWritePost.publishedAt }, options.comments);
  // The last connection to close checkpoints the WAL into the file, whose size is then the database's.
  await closeDb();
  return {
    dbPath,
    posts: options.posts,
    measuredSlug: newest.slug,
    commentsOnMeasured,
    hotSlugs: slugs.slice(0, 200),
    writeSlugs: slugs.length > 1200 ? slugs.slice(200) : slugs.slice(1),
    hotWriteSlug,
    commentsOnHotWrite,
    searchQueries: [...SEARCH_QUERIES],
    seedSeconds: (performance.now() - started) / 1000,
    dbBytes: fs.statSync(dbPath).size,
  };
}

/**
 * Runs `work` in a transaction of the app's data layer with its SQLite connection, where the fast
 * path's prepared statements go: the benchmark's database is a SQLite file.
 */
async function writeSqlite<T>(work: (sqlite: Database.Database) => Promise<T>): Promise<T> {
  const { transaction } = await import('@/db');
  return transaction((tx) => work((tx as unknown as SqliteDB).$client));
}

/** The app's SQLite connection for reads. */
const readSqlite = (getDb: () => DB) => (getDb() as unknown as SqliteDB).$client;

/** The row createPost wrote for the reference post, compared with what the fast path derives for it. */
function checkFastPathMatches(
  sqlite: Database.Database,
  id: number,
  input: PostInput,
  fast: { summary: string; summaryAutomatic: number; wordCount: number },
): void {
  const row = sqlite
    .prepare('SELECT summary, summary_automatic AS summaryAutomatic, word_count AS wordCount FROM posts WHERE id = ?')
    .get(id) as {
    summary: string;
    summaryAutomatic: number;
    wordCount: number;
  };
  const tags = sqlite.prepare('SELECT tag_id AS tagId, position FROM post_tags WHERE post_id = ? ORDER BY position').all(id) as {
    tagId: number;
    position: number;
  }[];
  const problems = [
    row.summary !== fast.summary && 'summary',
    row.summaryAutomatic !== fast.summaryAutomatic && 'summary source',
    row.wordCount !== fast.wordCount && 'word count',
    tags.length !== new Set(input.tags.map((t) => t.toLowerCase())).size && 'tags',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`bench/seed.ts no longer stores what createPost stores (${problems.join(', ')}): update its fast path.`);
  }
}

/** Threads with replies on a post, through the app's own createComment, spread over the days after it went out. */
async function addComments(post: Pick<PostInput, 'slug' | 'publishedAt'>, count: number): Promise<number> {
  const { createComment } = await import('@/lib/comments/submission');
  const random: Random = createRandom(77);
  const ids: number[] = [];
  const start = Date.parse(post.publishedAt);
  // One transaction each: createComment renders in a worker first, and a transaction cannot wait for it.
  for (let n = 0; n < count; n++) {
    // About two in five are replies, to an earlier comment or reply.
    const parentId = ids.length > 0 && random.next() < 0.4 ? ids[random.int(Math.max(0, ids.length - 8), ids.length - 1)] : undefined;
    const comment = await createComment(post.slug, {
      authorName: commentAuthor(random),
      authorEmail: random.next() < 0.5 ? `reader${n}@example.com` : undefined,
      body: commentBody(random),
      parentId,
    });
    const createdAt = new Date(Math.min(Date.now() - 1000, start + (n + 1) * 60_000)).toISOString();
    await writeSqlite(async (sqlite) => {
      sqlite.prepare('UPDATE comments SET created_at = ? WHERE id = ?').run(createdAt, comment.id);
    });
    ids.push(comment.id);
  }
  return ids.length;
}
