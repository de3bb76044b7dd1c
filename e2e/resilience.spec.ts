import fs from 'node:fs';
import http from 'node:http';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { type Ack, LOAD_SERVER_ENV, prepareBlog, startCommentLoad } from './comment-load';
import {
  type ServerProcess,
  isRefused,
  killAllServers,
  removeTempDatabases,
  startServer,
  tempDatabasePath,
  waitFor,
} from './server-process';

/*
 * Durability and restarts, on production servers this file starts itself (`next start` from the
 * same build, each on its own temporary database): comments acknowledged before a SIGKILL survive
 * it, two processes share one database file under load, and SIGTERM drains before it exits.
 */

test.describe.configure({ mode: 'serial' });
test.setTimeout(60_000);
test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stored {
  bodies: Map<number, string>;
  integrity: string;
  foreignKeyProblems: number;
  /** posts.comment_count, kept by triggers in the same transaction as the insert. */
  commentCount: number;
  approved: number;
}

/** Reads the database file directly: the comments of the post, and SQLite's own checks. */
function readDatabase(databasePath: string, slug: string): Stored {
  const db = new Database(databasePath, { fileMustExist: true });
  try {
    const post = db.prepare('SELECT id, comment_count AS commentCount FROM posts WHERE slug = ?').get(slug) as {
      id: number;
      commentCount: number;
    };
    const rows = db.prepare('SELECT id, body, status FROM comments WHERE post_id = ?').all(post.id) as {
      id: number;
      body: string;
      status: string;
    }[];
    return {
      bodies: new Map(rows.map((row) => [row.id, row.body])),
      integrity: (db.pragma('integrity_check', { simple: true }) as string) ?? '',
      foreignKeyProblems: (db.pragma('foreign_key_check') as unknown[]).length,
      commentCount: post.commentCount,
      approved: rows.filter((row) => row.status === 'approved').length,
    };
  } finally {
    db.close();
  }
}

function expectAllStored(stored: Stored, acked: Ack[]) {
  const missing = acked.filter(({ id, body }) => stored.bodies.get(id) !== body);
  expect(missing, 'acknowledged comments missing from the database').toEqual([]);
  expect(stored.integrity).toBe('ok');
  expect(stored.foreignKeyProblems).toBe(0);
  expect(stored.commentCount).toBe(stored.approved);
}

function report(line: string) {
  console.log(`[resilience] ${line}`);
  test.info().annotations.push({ type: 'measured', description: line });
}

test('every comment acknowledged with a 201 survives SIGKILL mid-load, and the database stays intact', async () => {
  const databasePath = tempDatabasePath('quire-sigkill-');
  let server: ServerProcess = await startServer({ databasePath, env: LOAD_SERVER_ENV });
  const slug = await prepareBlog(server.url);
  const acked: Ack[] = [];
  let cut = 0;
  const rounds = 3;

  for (let round = 1; round <= rounds; round++) {
    const load = startCommentLoad({ clients: 24, targets: () => [server.url], slug, tag: `kill ${round}`, stopOnNetworkError: true });
    // Kill at a moment that is not lined up with anything: after 300 comments (or 5 s on a slow
    // machine), plus a random delay.
    const loadStarted = Date.now();
    const enough = () => load.result.acked.length >= (Date.now() - loadStarted < 5_000 ? 300 : 20);
    await waitFor(enough, 'comments to be acknowledged before the kill', 30_000, 5);
    await sleep(Math.random() * 50);
    expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');
    const result = await load.done;
    expect(result.rejected).toEqual([]);
    acked.push(...result.acked);
    cut += result.networkErrors.length;
    // The restarted server recovers the WAL on open; the next round posts to it.
    server = await startServer({ databasePath, env: LOAD_SERVER_ENV });
    const stored = readDatabase(databasePath, slug);
    expectAllStored(stored, acked);
    report(
      `SIGKILL round ${round}: ${result.acked.length} comments acknowledged, ${result.networkErrors.length} requests cut by the kill; ` +
        `after the restart all ${acked.length} acknowledged so far are stored (${stored.bodies.size} rows)`,
    );
  }

  const stored = readDatabase(databasePath, slug);
  expectAllStored(stored, acked);
  // Requests cut by the kill may or may not have committed; nothing else is in the database.
  expect(stored.bodies.size).toBeGreaterThanOrEqual(acked.length);
  expect(stored.bodies.size).toBeLessThanOrEqual(acked.length + cut);
  // The restarted server answers with them too.
  const listed = await fetch(`${server.url}/api/posts/${slug}`);
  expect(listed.status).toBe(200);
  expect(((await listed.json()) as { commentCount: number }).commentCount).toBe(stored.approved);
  report(
    `SIGKILL total: ${acked.length} acknowledged in ${rounds} kills, ${stored.bodies.size} in the database ` +
      `(${stored.bodies.size - acked.length} committed but cut before the answer), integrity_check ok`,
  );
  await server.stop('SIGTERM');
});

test('two server processes on one database take concurrent comments through a rolling restart without one error', async () => {
  const databasePath = tempDatabasePath('quire-two-');
  const first = await startServer({ databasePath, env: LOAD_SERVER_ENV });
  const slug = await prepareBlog(first.url);
  const second = await startServer({ databasePath, env: LOAD_SERVER_ENV });
  const live = [first.url, second.url];

  // Every comment is read back from the other process: a commit in one is visible in the other at once.
  const load = startCommentLoad({ clients: 32, targets: () => live, slug, tag: 'two', readBack: true });
  await sleep(2_000);
  const beforeRestart = load.result.acked.length;

  // A zero-downtime restart of the first process: the balancer stops sending it requests and
  // waits for its answers (on a keep-alive connection a request can cross the server's close),
  // then it gets SIGTERM while the second takes the load, and a new process joins under load.
  live.splice(live.indexOf(first.url), 1);
  await waitFor(() => load.inFlightTo(first.url) === 0, 'the first server to answer its last requests');
  expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  const third = await startServer({ databasePath, env: LOAD_SERVER_ENV });
  live.push(third.url);
  await sleep(1_500);
  const result = await load.stop();

  expect(result.networkErrors).toEqual([]);
  expect(result.rejected).toEqual([]);
  const stored = readDatabase(databasePath, slug);
  expectAllStored(stored, result.acked);
  expect(stored.bodies.size).toBe(result.acked.length);
  for (const server of [first, second, third]) expect(server.output()).not.toMatch(/SQLITE_BUSY|database is locked|Unhandled error/);
  report(
    `two processes: ${result.acked.length} comments acknowledged (${beforeRestart} before the rolling restart), each read back from ` +
      `the other process; 0 errors; slowest answer ${Math.round(result.maxLatencyMs)} ms; ${stored.bodies.size} rows, integrity_check ok`,
  );
  await Promise.all([second.stop('SIGTERM'), third.stop('SIGTERM')]);
});

interface UploadAnswer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** A comment whose body arrives in slow chunks over one keep-alive connection, so the request is in flight for a while. */
function slowUpload(
  url: string,
  slug: string,
  body: string,
  { chunks, everyMs, agent, address }: { chunks: number; everyMs: number; agent: http.Agent; address: string },
) {
  const payload = Buffer.from(JSON.stringify({ authorName: 'Slow reader', body }));
  const { hostname, port } = new URL(url);
  let firstChunkSent!: () => void;
  const started = new Promise<void>((resolve) => (firstChunkSent = resolve));
  const answer = new Promise<UploadAnswer>((resolve, reject) => {
    const request = http.request(
      {
        method: 'POST',
        hostname,
        port,
        path: `/api/posts/${slug}/comments`,
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length, 'X-Forwarded-For': address },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    const size = Math.ceil(payload.length / chunks);
    const send = (index: number) => {
      const last = (index + 1) * size >= payload.length;
      request.write(payload.subarray(index * size, (index + 1) * size));
      if (index === 0) firstChunkSent();
      if (last) request.end();
      else setTimeout(() => send(index + 1), everyMs);
    };
    send(0);
  });
  return { started, answer };
}

test('SIGTERM stops accepting, finishes in-flight requests, closes the database and exits 0', async () => {
  const databasePath = tempDatabasePath('quire-sigterm-');
  const server = await startServer({ databasePath, env: LOAD_SERVER_ENV });
  const slug = await prepareBlog(server.url);
  const agent = new http.Agent({ keepAlive: true });
  try {
    // Twenty uploads that each take about 1.5 s to send their body.
    const bodies = Array.from({ length: 20 }, (_, n) => `sigterm upload ${n} `.padEnd(400, '.'));
    // Each from its own reader, as the readers' render queue would see twenty readers.
    const uploads = bodies.map((body, n) =>
      slowUpload(server.url, slug, body, { chunks: 10, everyMs: 150, agent, address: `10.78.0.${n + 1}` }),
    );
    await Promise.all(uploads.map((upload) => upload.started));
    await sleep(300);
    const signalledAt = performance.now();
    process.kill(server.pid, 'SIGTERM');

    await waitFor(() => isRefused(server.port), 'new connections to be refused', 5_000);
    const refusedAfterMs = performance.now() - signalledAt;
    const answers = await Promise.all(uploads.map((upload) => upload.answer));
    const answeredAfterMs = performance.now() - signalledAt;
    for (const answer of answers) {
      expect(answer.status, answer.body).toBe(201);
      // Keep-alive connections are closed after their last answer, so they do not hold the exit back.
      expect(answer.connection).toBe('close');
    }
    const exit = await server.waitForExit(10_000);
    const exitedAfterMs = performance.now() - signalledAt;
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('SIGTERM');

    // The last connection closed the database: the WAL was checkpointed into the file and removed.
    expect(fs.existsSync(`${databasePath}-wal`)).toBe(false);
    const acked = answers.map((answer, n) => ({ id: (JSON.parse(answer.body) as { id: number }).id, body: bodies[n]! }));
    const stored = readDatabase(databasePath, slug);
    expectAllStored(stored, acked);
    expect(stored.bodies.size).toBe(uploads.length);
    report(
      `SIGTERM: refused new connections ${Math.round(refusedAfterMs)} ms after the signal; ${answers.length} in-flight uploads answered 201 ` +
        `by ${Math.round(answeredAfterMs)} ms; exit code 0 at ${Math.round(exitedAfterMs)} ms; no -wal file left`,
    );
  } finally {
    agent.destroy();
  }
});

test('SIGINT on an idle server also closes the database and exits 0', async () => {
  const databasePath = tempDatabasePath('quire-sigint-');
  const server = await startServer({ databasePath });
  const signalledAt = performance.now();
  expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
  expect(fs.existsSync(`${databasePath}-wal`)).toBe(false);
  report(`SIGINT: idle server exited 0 after ${Math.round(performance.now() - signalledAt)} ms, no -wal file left`);
});
