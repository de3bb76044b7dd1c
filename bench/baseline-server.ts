/*
 * The floor to compare Quire with: a bare node:http server with better-sqlite3 prepared statements
 * on the same database file, answering the public API's hot paths with the same JSON bytes (the
 * benchmark checks that at start). It validates input with the same zod schemas and renders
 * comments with the same Markdown pipeline, so what it leaves out is the framework: routing,
 * Request/Response objects, React, caches, cookies and the edit grant.
 *
 *   DATABASE_PATH=... SITE_URL=... PORT=3201 node --import tsx bench/baseline-server.ts
 */
import http from 'node:http';
import Database from 'better-sqlite3';
import { AppError, notFound } from '@/lib/errors';
import { renderComment } from '@/lib/render/markdown';
import { decideCommentStatus } from '@/lib/comments/spam-policy';
import { decodeCursor, encodeCursor, listQuerySchema } from '@/lib/pagination';
import { postListQuerySchema, searchQuerySchema } from '@/lib/content/schemas';
import { toFtsQuery } from '@/lib/content/search/sqlite';
import { type CommentSettings, commentCreateSchema } from '@/lib/comments/schemas';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { postPath } from '@/lib/site/paths';

const db = new Database(process.env.DATABASE_PATH ?? 'data/quire.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const LIVE = "p.status = 'published' AND p.published_at <= @now";
const SUMMARY =
  'p.id, p.slug, p.title, p.summary, p.published_at AS publishedAt, p.updated_at AS updatedAt, p.comment_count AS commentCount';
const COMMENT =
  'c.id, c.parent_id AS parentId, c.author_name AS authorName, c.author_user_id IS NOT NULL AS byAuthor, c.html, c.created_at AS createdAt';

const sql = {
  firstPage: db.prepare(`SELECT ${SUMMARY} FROM posts p WHERE ${LIVE} ORDER BY p.published_at DESC, p.id DESC LIMIT @limit`),
  nextPage: db.prepare(
    `SELECT ${SUMMARY} FROM posts p WHERE ${LIVE} AND (p.published_at, p.id) < (@time, @id) ORDER BY p.published_at DESC, p.id DESC LIMIT @limit`,
  ),
  tags: db.prepare(
    `SELECT pt.post_id AS postId, t.slug, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
     WHERE pt.post_id IN (SELECT value FROM json_each(?)) ORDER BY pt.post_id, pt.position`,
  ),
  post: db.prepare(
    `SELECT ${SUMMARY}, p.html, p.comments_enabled AS commentsEnabled, p.word_count AS wordCount FROM posts p WHERE p.slug = @slug AND ${LIVE}`,
  ),
  livePost: db.prepare(`SELECT p.id, p.comments_enabled AS commentsEnabled FROM posts p WHERE p.slug = @slug AND ${LIVE}`),
  comments: db.prepare(
    `SELECT ${COMMENT} FROM comments c WHERE c.post_id = @postId AND c.status = 'approved' ORDER BY c.created_at, c.id LIMIT @limit`,
  ),
  commentsAfter: db.prepare(
    `SELECT ${COMMENT} FROM comments c WHERE c.post_id = @postId AND c.status = 'approved' AND (c.created_at, c.id) > (@time, @id)
     ORDER BY c.created_at, c.id LIMIT @limit`,
  ),
  // The same statement as lib/content/search/sqlite.ts: the FTS index drives the join, snippets for the page only.
  search: db.prepare(
    `WITH hits AS MATERIALIZED (
       SELECT p.id, bm25(posts_fts, 10.0, 4.0, 1.0, 6.0) AS score
       FROM posts_fts CROSS JOIN posts p ON p.id = posts_fts.rowid
       WHERE posts_fts MATCH @match AND ${LIVE}
       ORDER BY score, p.id LIMIT @limit OFFSET @offset)
     SELECT p.id, p.slug, p.title, p.summary, p.published_at AS publishedAt,
       snippet(posts_fts, 2, char(2), char(3), '…', 24) AS bodySnippet,
       snippet(posts_fts, 1, char(2), char(3), '…', 24) AS summarySnippet
     FROM hits JOIN posts_fts ON posts_fts.rowid = hits.id JOIN posts p ON p.id = hits.id
     WHERE posts_fts MATCH @match
     ORDER BY hits.score, hits.id`,
  ),
  settings: db.prepare("SELECT value FROM settings WHERE key = 'site'").pluck(),
  rateHit: db.prepare(
    `INSERT INTO rate_limits (key, window_start, count) VALUES (@key, @now, 1)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN window_start <= @expired THEN 1 ELSE count + 1 END,
       window_start = CASE WHEN window_start <= @expired THEN @now ELSE window_start END
     RETURNING count, window_start AS windowStart`,
  ),
  insertComment: db.prepare(
    `INSERT INTO comments (post_id, parent_id, author_name, author_email, body, html, status, created_at)
     VALUES (@postId, NULL, @authorName, @authorEmail, @body, @html, @status, @createdAt)
     RETURNING id, parent_id AS parentId, author_name AS authorName, author_user_id IS NOT NULL AS byAuthor, html, created_at AS createdAt, status`,
  ),
};

type Query = Record<string, string>;
type Summary = { id: number; slug: string; title: string; summary: string; publishedAt: string; updatedAt: string; commentCount: number };
type Tag = { slug: string; name: string };

const now = () => new Date().toISOString();

function tagsOf(ids: number[]): Map<number, Tag[]> {
  const byPost = new Map<number, Tag[]>();
  for (const { postId, slug, name } of sql.tags.all(JSON.stringify(ids)) as (Tag & { postId: number })[]) {
    byPost.set(postId, [...(byPost.get(postId) ?? []), { slug, name }]);
  }
  return byPost;
}

/** Same keys in the same order as lib/content/posts.ts's PostSummary, so JSON.stringify gives the same bytes. */
const summaryJson = (row: Summary, tags: Tag[]) => ({ ...row, tags, url: absoluteUrl(postPath(row.slug)) });

function listPosts(query: Query) {
  const { limit, cursor, tag } = parseQuery(postListQuerySchema, query);
  if (tag !== undefined) throw new AppError('bad_request', 'The baseline does not filter by tag.');
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = (
    after ? sql.nextPage.all({ now: now(), limit: limit + 1, ...after }) : sql.firstPage.all({ now: now(), limit: limit + 1 })
  ) as Summary[];
  const data = rows.slice(0, limit);
  const tags = tagsOf(data.map((row) => row.id));
  const last = data.at(-1);
  return {
    data: data.map((row) => summaryJson(row, tags.get(row.id) ?? [])),
    nextCursor: rows.length > limit && last ? encodeCursor({ time: last.publishedAt, id: last.id }) : null,
  };
}

function getPost(slug: string) {
  const row = sql.post.get({ slug, now: now() }) as (Summary & { html: string; commentsEnabled: number; wordCount: number }) | undefined;
  if (!row) throw notFound('Post');
  const { html, commentsEnabled, wordCount, ...summary } = row;
  return { ...summaryJson(summary, tagsOf([row.id]).get(row.id) ?? []), html, commentsEnabled: Boolean(commentsEnabled), wordCount };
}

function livePost(slug: string) {
  const post = sql.livePost.get({ slug, now: now() }) as { id: number; commentsEnabled: number } | undefined;
  if (!post) throw notFound('Post');
  return post;
}

type CommentRow = { id: number; parentId: number | null; authorName: string; byAuthor: number; html: string; createdAt: string };
const commentJson = ({ byAuthor, ...row }: CommentRow) => ({
  id: row.id,
  parentId: row.parentId,
  authorName: row.authorName,
  byAuthor: Boolean(byAuthor),
  html: row.html,
  createdAt: row.createdAt,
});

function listComments(slug: string, query: Query) {
  const { limit, cursor } = parseQuery(listQuerySchema, query);
  const { id: postId } = livePost(slug);
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = (
    after ? sql.commentsAfter.all({ postId, limit: limit + 1, ...after }) : sql.comments.all({ postId, limit: limit + 1 })
  ) as CommentRow[];
  const data = rows.slice(0, limit).map(commentJson);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor({ time: last.createdAt, id: last.id }) : null };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const markHtml = (snippet: string) => escapeHtml(snippet).replaceAll('\u0002', '<mark>').replaceAll('\u0003', '</mark>');

function search(query: Query) {
  const { q, limit, cursor } = parseQuery(searchQuerySchema, query);
  const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o/, '')) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > 10_000) throw new AppError('validation', 'Invalid cursor.');
  const match = toFtsQuery(q);
  if (!match) return { data: [], nextCursor: null };
  const rows = sql.search.all({ match, now: now(), limit: limit + 1, offset }) as (Omit<Summary, 'updatedAt' | 'commentCount'> & {
    bodySnippet: string;
    summarySnippet: string;
  })[];
  const data = rows.slice(0, limit).map(({ bodySnippet, summarySnippet, ...row }) => ({
    ...row,
    url: absoluteUrl(postPath(row.slug)),
    snippet: markHtml(bodySnippet.includes('\u0002') || !summarySnippet.includes('\u0002') ? bodySnippet : summarySnippet),
  }));
  return { data, nextCursor: rows.length > limit ? Buffer.from(`o${offset + limit}`).toString('base64url') : null };
}

/** The same steps as Quire's POST: rate limit, validation, Markdown, spam verdict, one immediate transaction. */
async function postComment(slug: string, body: unknown, address: string) {
  const settings = JSON.parse((sql.settings.get() as string | undefined) ?? '{}') as CommentSettings;
  const limit = settings.commentRateLimit ?? { max: 6, windowSeconds: 60 };
  const at = Date.now();
  const hit = sql.rateHit.get({ key: `comment:${address}`, now: at, expired: at - limit.windowSeconds * 1000 }) as { count: number };
  if (hit.count > limit.max) throw new AppError('too_many_requests', 'You are posting comments too quickly.');
  const input = parseQuery(commentCreateSchema, body);
  if (input.parentId !== undefined) throw new AppError('bad_request', 'The baseline does not take replies.');
  const { html, visible } = await renderComment(input.body);
  // The benchmark's readers send no commenter cookie, so none of them is a returning commenter.
  const verdict = decideCommentStatus(
    { ...input, visible },
    settings,
    { honeypotFilled: Boolean(input.website), formAgeMs: null },
    () => false,
  );
  const created = db
    .transaction(() => {
      const post = livePost(slug);
      if (!post.commentsEnabled || settings.commentsEnabled === false) throw new AppError('forbidden', 'Comments are closed on this post.');
      return sql.insertComment.get({
        postId: post.id,
        authorName: input.authorName,
        authorEmail: input.authorEmail?.toLowerCase() ?? null,
        body: input.body,
        html,
        status: verdict.status,
        createdAt: now(),
      }) as CommentRow & { status: string };
    })
    .immediate();
  return { ...commentJson(created), status: created.status === 'spam' ? 'pending' : created.status };
}

function parseQuery<T>(schema: { safeParse: (input: unknown) => { success: true; data: T } | { success: false } }, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('validation', 'The request has invalid fields.');
  return result.data;
}

function send(response: http.ServerResponse, status: number, body: string, type = 'application/json'): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(body);
}

async function readBody(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new AppError('payload_too_large', 'The request body must be at most 64 KiB.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
}

async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://baseline');
  const query = Object.fromEntries(url.searchParams);
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (request.method === 'GET' && url.pathname === '/health') return send(response, 200, '{"status":"ok"}');
    if (parts[0] !== 'api') throw notFound('Page');
    if (request.method === 'GET' && parts.length === 2 && parts[1] === 'posts')
      return send(response, 200, JSON.stringify(listPosts(query)));
    if (request.method === 'GET' && parts.length === 2 && parts[1] === 'search') return send(response, 200, JSON.stringify(search(query)));
    if (parts[1] === 'posts' && parts.length === 3 && request.method === 'GET')
      return send(response, 200, JSON.stringify(getPost(parts[2]!)));
    if (parts[1] === 'posts' && parts.length === 4 && parts[3] === 'comments') {
      if (request.method === 'GET') return send(response, 200, JSON.stringify(listComments(parts[2]!, query)));
      if (request.method === 'POST') {
        const address = String(request.headers['x-forwarded-for'] ?? request.socket.remoteAddress ?? 'unknown')
          .split(',')[0]!
          .trim();
        const created = await postComment(parts[2]!, await readBody(request), address);
        response.setHeader('Location', `/api/comments/${created.id}`);
        return send(response, 201, JSON.stringify(created));
      }
    }
    throw notFound('Resource');
  } catch (error) {
    const problem = error instanceof AppError ? error : new AppError('internal', 'Something went wrong.');
    if (!(error instanceof AppError)) console.error(error);
    send(response, problem.status, JSON.stringify(problem.toProblem()), 'application/problem+json');
  }
}

const port = Number(process.env.PORT ?? 3201);
http
  .createServer((request, response) => void handle(request, response))
  .listen(port, '127.0.0.1', () => console.log(`baseline listening on http://127.0.0.1:${port}`));
