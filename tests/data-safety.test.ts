import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decode } from 'html-entities';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { getDb, openDatabase, transaction } from '@/db';
import { comments, posts, tags, users } from '@/db/schema';
import { backupDatabase, isDatabaseInUse, restoreDatabase } from '@/lib/ops/backup';
import { createComment } from '@/lib/comments/submission';
import { deleteComments, setCommentsStatus, updateComment } from '@/lib/comments/moderation-queue';
import { AppError } from '@/lib/errors';
import { exportData, writeExport } from '@/lib/transfer/export';
import type { ExportDocument } from '@/lib/transfer/format';
import { importData } from '@/lib/transfer/import';
import { createPost, updatePost } from '@/lib/content/posts';
import { searchPosts } from '@/lib/content/search';
import { createUser } from '@/lib/auth/users';
import { fill } from './fixtures/slow-markdown';
import { clearTables, insertPublishedPosts, sqliteReader as sqlite, withSqliteWriter } from './helpers';
import { onlyOn } from './dialect';

/*
 * Backups, restores, exports and imports on real SQLite files, with real processes where it
 * matters: a stand-in server (tests/fixtures/hold-database.ts) that holds the database open, and
 * the npm scripts run as a user runs them.
 */

const ROOT = process.cwd();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-data-safety-'));
let files = 0;
/** A path in a directory of its own, so each database has its own backups/ folder. */
function tempFile(name: string): string {
  const dir = path.join(work, String(++files));
  fs.mkdirSync(dir);
  return path.join(dir, name);
}

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npx tsx scripts/<script>` on the database `databasePath`, as a user would. */
function runScript(script: string, args: string[], databasePath: string, env: Record<string, string> = {}): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', `scripts/${script}`, ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_PATH: databasePath, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const STACK_TRACE = /^\s+at /m;

const servers: ChildProcess[] = [];

/** Starts a process that opens the database as the server does and keeps it open (`--write`: and keeps writing). */
function startServer(file: string, mode?: '--write'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/hold-database.ts', file, ...(mode ? [mode] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`The stand-in server exited before it was ready (${code}).`)));
  });
}

/** Kills the stand-in server the hard way: a crash leaves its -wal behind, the worst case for a restore. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

afterEach(async () => {
  for (const child of servers.splice(0)) await stopServer(child);
});

/** Runs `read` on a connection of its own to `file`. */
function withFile<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const titlesIn = (file: string) => withFile(file, (db) => db.prepare('SELECT title FROM posts ORDER BY id').pluck().all());

/** Child processes start slowly (tsx compiles on the fly); the tests that run them get more time. */
const SLOW = { timeout: 60_000 };

/** A Quire database file of its own holding draft posts with these titles. */
function makeDatabase(name: string, titles: string[]): string {
  const file = tempFile(name);
  const sqlite = openDatabase(file).db.$client;
  const insert = sqlite.prepare(
    "INSERT INTO posts (slug, title, body, html, status, created_at, updated_at) VALUES (?, ?, 'Body', '<p>Body</p>', 'draft', ?, ?)",
  );
  const now = new Date().toISOString();
  titles.forEach((title, i) => insert.run(`post-${i + 1}`, title, now, now));
  sqlite.close();
  return file;
}

onlyOn('sqlite', 'copies SQLite files; PostgreSQL is backed up with pg_dump (tests/migrate-blog.test.ts checks the refusal)').describe(
  'db:backup',
  () => {
    it('copies the database consistently while another process keeps writing', async () => {
      const live = tempFile('busy.db');
      const sqlite = openDatabase(live).db.$client;
      // Some megabytes, so that the copy takes long enough for commits to land while it runs.
      const insert = sqlite.prepare(
        "INSERT INTO posts (slug, title, body, html, status, created_at, updated_at) VALUES (?, 'Old', ?, '', 'draft', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
      );
      sqlite.transaction(() => {
        for (let i = 0; i < 2_000; i++) insert.run(`old-${i}`, `${i} `.repeat(2_000));
      })();
      const writer = await startServer(live, '--write');
      const lastId = () => sqlite.prepare('SELECT max(id) FROM posts').pluck().get() as number;

      const before = lastId();
      const backup = await backupDatabase({ file: live, out: tempFile('busy-backup.db') });
      const after = lastId();
      await stopServer(writer);

      // The writer really wrote while the copy was made ...
      expect(after).toBeGreaterThan(before);
      const copied = withFile(backup.file, (db) => ({
        integrity: db.pragma('integrity_check', { simple: true }),
        journal: db.pragma('journal_mode', { simple: true }),
        ...(db.prepare('SELECT count(*) AS count, max(id) AS last FROM posts').get() as { count: number; last: number }),
      }));
      // ... and the copy is sound, self-contained, and holds every row committed up to one moment:
      // all those committed before it started, and no gap (ids are sequential).
      expect(copied.integrity).toBe('ok');
      expect(copied.journal).toBe('delete');
      expect(copied.last).toBeGreaterThanOrEqual(before);
      expect(copied.last).toBeLessThanOrEqual(after);
      expect(copied.count).toBe(copied.last);
      expect(backup.posts).toBe(copied.count);
      const digest = (db: Database.Database) => {
        const hash = createHash('sha256');
        for (const row of db.prepare('SELECT id, slug, title, body FROM posts WHERE id <= ? ORDER BY id').iterate(copied.last)) {
          hash.update(JSON.stringify(row));
        }
        return hash.digest('hex');
      };
      expect(withFile(backup.file, digest)).toBe(digest(sqlite));
      sqlite.close();
      expect(fs.readdirSync(path.dirname(backup.file)).filter((name) => name.includes('.partial-'))).toEqual([]);
    });

    it('names backups by time beside the database and never overwrites one', async () => {
      const live = makeDatabase('named.db', ['One', 'Two']);
      const now = new Date('2026-11-22T05:00:00.123Z');
      const first = await backupDatabase({ file: live, now });
      const second = await backupDatabase({ file: live, now });
      const stem = path.join(path.dirname(live), 'backups', `${path.basename(live, '.db')}-2026-11-22T05-00-00Z`);
      expect(first.file).toBe(`${stem}.db`);
      expect(second.file).toBe(`${stem}-2.db`);
      expect(first).toMatchObject({ posts: 2, comments: 0, users: 0, migrations: 14 });
      await expect(backupDatabase({ file: live, out: first.file })).rejects.toThrow(/already exists/);
      await expect(backupDatabase({ file: tempFile('missing.db') })).rejects.toThrow(/no database at/);
    });

    // Issue 23, item 13: backups hold password hashes and the signing secret, and came out 0644.
    it('writes backups and safety copies readable by their owner only (0600), whatever the umask', async () => {
      const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
      const umask = process.umask(0);
      try {
        const live = makeDatabase('private.db', ['Secret']);
        expect(mode((await backupDatabase({ file: live })).file)).toBe('600');
        const out = tempFile('private-copy.db');
        await backupDatabase({ file: live, out });
        expect(mode(out)).toBe('600');
        const script = tempFile('private-script.db');
        expect((await runScript('db-backup.ts', ['--out', script], live)).code).toBe(0);
        expect(mode(script)).toBe('600');

        // The copy a restore keeps of the database it replaces, readable by SQLite or not;
        // the restored database keeps the mode the operator gave the one it replaces.
        fs.chmodSync(live, 0o640);
        const restored = await restoreDatabase({ file: live, from: out });
        expect([mode(restored.safetyCopy!), mode(live)]).toEqual(['600', '640']);
        const broken = tempFile('broken.db');
        fs.writeFileSync(broken, 'garbage '.repeat(1_000), { mode: 0o644 });
        const rescued = await restoreDatabase({ file: broken, from: out });
        expect(mode(rescued.safetyCopy!)).toBe('600');
      } finally {
        process.umask(umask);
      }
    });

    it('runs as npm run db:backup, also while the server runs', async () => {
      const live = makeDatabase('script-backup.db', ['Kept']);
      await startServer(live);
      const out = tempFile('script-backup-copy.db');
      const run = await runScript('db-backup.ts', ['--out', out], live);
      expect(run.stderr).not.toMatch(STACK_TRACE);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Backed up .* to .*script-backup-copy\.db \(\d+(\.\d)? KB\)/);
      expect(run.stdout).toContain("2 posts, 0 comments and 0 accounts at migration 14; SQLite's integrity check: ok.");
      expect(titlesIn(out)).toEqual(['Kept', 'Written 1']);

      const again = await runScript('db-backup.ts', ['--out', out], live);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already exists; a backup never overwrites a file');
      expect(again.stderr).not.toMatch(STACK_TRACE);
    });
  },
  SLOW,
);

onlyOn('sqlite', 'restores SQLite files; PostgreSQL is restored with pg_restore').describe(
  'db:restore',
  () => {
    it('refuses while a server has the database open, and restores once it has stopped', async () => {
      const live = makeDatabase('live.db', ['Current']);
      const backup = makeDatabase('backup.db', ['From the backup', 'Also from the backup']);
      const server = await startServer(live);
      expect(isDatabaseInUse(live)).toBe(true);
      await expect(restoreDatabase({ file: live, from: backup })).rejects.toThrow(/open in another process: is the Quire server running\?/);
      expect(fs.existsSync(path.join(path.dirname(live), 'backups'))).toBe(false);

      // The server dies with a commit still in its -wal: the safety copy must hold it.
      await stopServer(server);
      expect(fs.statSync(`${live}-wal`).size).toBeGreaterThan(0);
      expect(isDatabaseInUse(live)).toBe(false);
      const result = await restoreDatabase({ file: live, from: backup });

      expect(result.restored).toMatchObject({ posts: 2, migrations: 14 });
      expect(result.migrated).toBe(0);
      expect(titlesIn(live)).toEqual(['From the backup', 'Also from the backup']);
      expect(titlesIn(result.safetyCopy!)).toEqual(['Current', 'Written 1']);
      expect(withFile(live, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
      // Opened again as the server opens it: WAL, and nothing of the old file's WAL replayed.
      const reopened = openDatabase(live).db.$client;
      expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(reopened.prepare('SELECT count(*) FROM posts').pluck().get()).toBe(2);
      reopened.close();
      expect(fs.readdirSync(path.dirname(live)).filter((name) => name.includes('.partial-'))).toEqual([]);
      // The backup itself is left as it was.
      expect(titlesIn(backup)).toEqual(['From the backup', 'Also from the backup']);
    });

    it('applies the migrations an older backup predates', async () => {
      const backup = makeDatabase('old-backup.db', ['Old']);
      withFile(backup, (db) => {
        // What the file looked like before the last eight migrations (commenter keys, token expiry; the
        // prefix search index; site assets; the author's posts by status; comments' edit time; shared
        // cache-tag expiry; comments' moderation reason; the summary's source) existed, with a post in the search index that predates them.
        db.exec(`ALTER TABLE posts DROP COLUMN summary_automatic;
        ALTER TABLE comments DROP COLUMN moderation_reason;
        DROP TABLE cache_tag_expiries;
        ALTER TABLE comments DROP COLUMN edited_at;
        DROP INDEX posts_status_updated_at_id_published_at_idx;
        DROP TABLE site_assets;
        DROP TRIGGER posts_fts_prefix_after_delete;
        DROP TABLE posts_fts_prefix;
        INSERT INTO posts_fts (rowid, title, summary, body, tags) SELECT id, title, '', body, '' FROM posts;
        DROP INDEX comments_commenter_key_status_idx;
        ALTER TABLE comments DROP COLUMN commenter_key;
        ALTER TABLE api_tokens DROP COLUMN expires_at;
        CREATE INDEX comments_author_email_status_idx ON comments (author_email, status);`);
        db.exec(
          'DELETE FROM __drizzle_migrations WHERE created_at >= (SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1 OFFSET 7)',
        );
      });
      const live = makeDatabase('to-migrate.db', ['New']);
      const result = await restoreDatabase({ file: live, from: backup });
      expect(result.restored.migrations).toBe(6);
      expect(result.migrated).toBe(8);
      expect(
        withFile(live, (db) =>
          db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'comments_commenter_key_status_idx'").pluck().get(),
        ),
      ).toBe(1);
      // The prefix index is filled from the stemmed one.
      expect(
        withFile(live, (db) => db.prepare('SELECT rowid FROM posts_fts_prefix WHERE posts_fts_prefix MATCH \'"ol"*\'').pluck().all()),
      ).toEqual([1]);
    });

    it('refuses what is not a sound Quire database, and changes nothing', async () => {
      const live = makeDatabase('untouched.db', ['Untouched']);
      const garbage = tempFile('garbage.db');
      fs.writeFileSync(garbage, 'This is not a database, just text that is long enough to look like one. '.repeat(20));
      const foreign = tempFile('foreign.db');
      const other = new Database(foreign);
      other.exec('CREATE TABLE notes (text)');
      other.close();
      const newer = makeDatabase('newer.db', ['From the future']);
      withFile(newer, (db) => db.exec("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', 9999999999999)"));

      await expect(restoreDatabase({ file: live, from: garbage })).rejects.toThrow(/is not a SQLite database/);
      await expect(restoreDatabase({ file: live, from: foreign })).rejects.toThrow(/not a Quire database/);
      await expect(restoreDatabase({ file: live, from: newer })).rejects.toThrow(
        /newer version of Quire \(15 migrations; this version knows 14\)/,
      );
      await expect(restoreDatabase({ file: live, from: tempFile('nothing.db') })).rejects.toThrow(/no database at/);
      await expect(restoreDatabase({ file: live, from: live })).rejects.toThrow(/is the database itself/);
      expect(titlesIn(live)).toEqual(['Untouched']);
      expect(fs.existsSync(path.join(path.dirname(live), 'backups'))).toBe(false);
    });

    it('replaces a database SQLite cannot read, keeping its bytes aside', async () => {
      const live = tempFile('broken.db');
      fs.writeFileSync(live, 'garbage '.repeat(1_000));
      const backup = makeDatabase('rescue.db', ['Rescued']);
      const result = await restoreDatabase({ file: live, from: backup });
      expect(titlesIn(live)).toEqual(['Rescued']);
      expect(fs.readFileSync(result.safetyCopy!, 'utf8')).toBe('garbage '.repeat(1_000));
    });

    it('runs as npm run db:restore: a clear refusal while the server runs, then the restore', async () => {
      const live = makeDatabase('script-live.db', ['Current']);
      const backup = makeDatabase('script-backup.db', ['Restored']);
      const server = await startServer(live);
      const [refused, usage] = await Promise.all([runScript('db-restore.ts', [backup], live), runScript('db-restore.ts', [], live)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is open in another process: is the Quire server running? Stop it');
      expect(refused.stderr).not.toMatch(STACK_TRACE);
      expect(titlesIn(live)).toEqual(['Current', 'Written 1']);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toContain('Usage: npm run db:restore -- FILE');

      await stopServer(server);
      const run = await runScript('db-restore.ts', [backup], live);
      expect(run.stderr).not.toMatch(STACK_TRACE);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Restored ${live} from ${backup}: 1 post, 0 comments, 0 accounts.`);
      expect(run.stdout).toMatch(/kept in .*backups\/script-live-before-restore-.*\.db; to undo: npm run db:restore -- /);
      expect(titlesIn(live)).toEqual(['Restored']);
    });
  },
  SLOW,
);

/* Export and import work on the test's own database (DATABASE_PATH from tests/setup.ts). */

const emptyContent = () => clearTables(comments, posts, tags);

const contentCounts = () =>
  sqlite()
    .prepare(
      `SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM comments) AS comments,
        (SELECT count(*) FROM tags) AS tags, (SELECT count(*) FROM post_tags) AS postTags, (SELECT count(*) FROM posts_fts) AS indexed`,
    )
    .get();

/** What an import derives rather than reads: it must come out as the editor made it. */
const derivedColumns = () => ({
  posts: sqlite().prepare('SELECT slug, html, word_count, comment_count FROM posts ORDER BY slug').all(),
  comments: sqlite().prepare('SELECT body, html, author_user_id IS NOT NULL AS by_author FROM comments ORDER BY created_at, body').all(),
});

const withoutTime = (doc: ExportDocument) => JSON.stringify({ ...doc, exportedAt: 'x' });

const HOUR = 3_600_000;

/** A blog with everything an export must carry: unicode, threads, every status, drafts, a scheduled post, tags. */
async function writeVariedBlog() {
  const author = await createUser({ email: 'ada@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' });
  const unicode = await createPost({
    title: 'Ünïcødé: 日本語, עברית, emoji 🎉 and “quotes”',
    slug: 'unicode',
    summary: 'Ça marche — 一切正常.',
    body: 'Données *accentuées*, 漢字, 👩‍👩‍👧 (a family), a line\u2028separator, `<script>alert(1)</script>`, "quotes" and \\backslashes\\.\n\n```js\nconst x = "日本";\n```',
    status: 'published',
    publishedAt: new Date(Date.now() - 48 * HOUR).toISOString(),
    tags: ['SQLite', 'Données', 'Ünïcode'],
  });
  await createPost({
    title: 'Closed to comments',
    body: 'No comments here.',
    status: 'published',
    commentsEnabled: false,
    tags: ['sqlite'],
  });
  await createPost({ title: 'A draft never published', body: 'Work in progress.', status: 'draft' });
  await createPost({
    title: 'Coming soon',
    body: 'Scheduled for next week.',
    status: 'scheduled',
    publishedAt: new Date(Date.now() + 7 * 24 * HOUR).toISOString(),
  });

  const top = await createComment(unicode.slug, { authorName: 'Zoë 🌸', authorEmail: 'Zoe@Example.com', body: 'Très **bien** ! 很好。' });
  const reply = await createComment(unicode.slug, { authorName: 'Grace', body: 'A reply.', parentId: top.id });
  const gone = await createComment(unicode.slug, { authorName: 'Tim', body: 'Will be deleted; its reply moves up.', parentId: reply.id });
  await createComment(unicode.slug, { authorName: 'Edsger', body: 'Reply to a deleted comment.', parentId: gone.id });
  await deleteComments([gone.id]);
  await createComment(unicode.slug, { authorName: 'Ada', body: 'Thanks, all! (from the author)', parentId: top.id }, { author });
  const held = await createComment(unicode.slug, { authorName: 'Newcomer', authorEmail: 'new@example.com', body: 'Waiting for approval.' });
  await setCommentsStatus([held.id], 'pending');
  const spam = await createComment(unicode.slug, { authorName: 'Bot', body: 'Buy [cheap](https://spam.example) things' });
  await setCommentsStatus([spam.id], 'spam');
  const edited = await createComment(unicode.slug, { authorName: 'Barbara', body: 'Frist!' });
  await updateComment(edited.id, { body: 'First! (edited)' });

  // A published post with comments, taken back to draft: it keeps its date and its comments.
  const withdrawn = await createPost({ title: 'Withdrawn', body: 'Was public for a while.', status: 'published', tags: ['Meta'] });
  await createComment(withdrawn.slug, { authorName: 'Early reader', body: 'Saw it before it went.' });
  await updatePost(withdrawn.slug, { status: 'draft' });
}

describe('export and import', () => {
  beforeEach(() => clearTables(comments, posts, tags, users));

  onlyOn('sqlite', 'compares SQLite’s derived columns and FTS5 rows; tests/migrate-blog.test.ts round-trips on both').it(
    'round-trips exactly: export, import into an empty blog, export again',
    async () => {
      await writeVariedBlog();
      const first = await exportData();
      const derived = derivedColumns();
      expect(first.posts.map((post) => [post.slug, post.status, post.comments.length])).toEqual([
        ['unicode', 'published', 7],
        ['closed-to-comments', 'published', 0],
        ['a-draft-never-published', 'draft', 0],
        ['coming-soon', 'scheduled', 0],
        ['withdrawn', 'draft', 1],
      ]);
      const thread = first.posts[0]!.comments;
      expect(thread.map((c) => [c.id, c.parentId, c.status, c.byAuthor])).toEqual([
        [1, null, 'approved', false],
        [2, 1, 'approved', false],
        [3, 2, 'approved', false],
        [4, 1, 'approved', true],
        [5, null, 'pending', false],
        [6, null, 'spam', false],
        [7, null, 'approved', false],
      ]);
      expect(thread[0]).toMatchObject({ authorName: 'Zoë 🌸', authorEmail: 'zoe@example.com' });
      expect(thread[6]!.updatedAt).not.toBeNull();
      // The edited comment says when, and the import keeps it.
      expect(thread[6]!.editedAt).not.toBeNull();
      expect(thread[5]!.editedAt).toBeNull();
      expect(first.posts[0]!.tags).toEqual([
        { slug: 'sqlite', name: 'SQLite' },
        { slug: 'donnees', name: 'Données' },
        { slug: 'unicode', name: 'Ünïcode' },
      ]);
      expect(first.posts[1]!.tags).toEqual([{ slug: 'sqlite', name: 'SQLite' }]);
      expect(first.posts[4]!.publishedAt).not.toBeNull();

      await emptyContent();
      const result = await importData(JSON.parse(JSON.stringify(first)));
      expect(result).toEqual({ posts: 5, comments: 8, replaced: 0, unlinkedAuthorComments: 0 });

      expect(withoutTime(await exportData())).toBe(withoutTime(first));
      expect(derivedColumns()).toEqual(derived);
      expect((await searchPosts('accentuées', { limit: 5 })).data.map((hit) => hit.slug)).toEqual(['unicode']);
    },
  );

  it('streams the same JSON as the document, page by page for large blogs', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    await insertPublishedPosts(1_100, { prefix: 'post', at, body: 'Text' });
    await transaction(async (tx) => {
      // A thread on a post of the second page of 500.
      const [post] = await tx.select({ id: posts.id }).from(posts).where(eq(posts.slug, 'post-777'));
      const comment = async (parentId: number | null) => {
        const values = { postId: post!.id, parentId, authorName: 'R', body: 'Hi', html: '', status: 'approved' as const, createdAt: at };
        return (await tx.insert(comments).values(values).returning({ id: comments.id }))[0]!.id;
      };
      await comment(await comment(null));
    });

    let text = '';
    const summary = await writeExport((chunk) => (text += chunk));
    const streamed = JSON.parse(text) as ExportDocument;
    expect(summary).toEqual({ posts: 1_100, comments: 2 });
    expect(text).toBe(`${JSON.stringify(streamed, null, 2)}\n`);
    expect(withoutTime(streamed)).toBe(withoutTime(await exportData()));
    expect(streamed.posts[776]!.comments).toMatchObject([
      { id: 1, parentId: null },
      { id: 2, parentId: 1 },
    ]);

    await emptyContent();
    let empty = '';
    await writeExport((chunk) => (empty += chunk));
    expect(empty).toBe(`${JSON.stringify(JSON.parse(empty), null, 2)}\n`);
    expect(JSON.parse(empty).posts).toEqual([]);
  });

  onlyOn('sqlite', 'writes through a second SQLite connection that will not wait for a lock').it(
    'reads one moment of the blog without holding up a writer meanwhile',
    async () => {
      const at = '2026-01-01T00:00:00.000Z';
      await insertPublishedPosts(1_100, { prefix: 'post', at, body: 'Text' });
      // Another process, as it were, that will not wait for a lock.
      const other = new Database(process.env.DATABASE_PATH, { timeout: 0 });
      let text = '';
      let chunks = 0;
      try {
        await writeExport((chunk) => {
          text += chunk;
          // In the middle of the first batch of 500, a new post is committed at once.
          if (++chunks === 100)
            other
              .prepare(
                "INSERT INTO posts (slug, title, body, html, status, created_at, updated_at) VALUES ('during', 'During', 'x', 'x', 'draft', ?, ?)",
              )
              .run(at, at);
        });
      } finally {
        other.close();
      }
      const exported = (JSON.parse(text) as ExportDocument).posts.map((p) => p.slug);
      expect(exported).toHaveLength(1_100);
      expect(exported).not.toContain('during');
      expect((await exportData()).posts.map((p) => p.slug)).toContain('during');
    },
  );

  const post = (slug: string, extra: Record<string, unknown> = {}) => ({
    slug,
    title: `Title of ${slug}`,
    status: 'published',
    publishedAt: '2026-01-02T03:04:05.000Z',
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-01-02T03:04:05.000Z',
    body: `Body of ${slug}`,
    ...extra,
  });
  const doc = (posts: unknown[]) => ({ format: 'quire-export', version: 1, posts });

  async function importError(input: unknown, options?: { replace?: boolean }): Promise<AppError> {
    try {
      await importData(input, options);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('The import succeeded.');
  }

  onlyOn('sqlite', 'counts rows through the SQLite reader; the checks themselves do not touch the database').it(
    'reports every problem of a broken file with its path, and changes nothing',
    async () => {
      await importData(doc([post('existing')]));
      const before = contentCounts();
      const error = await importError(
        doc([
          post('first', { createdAt: 'yesterday', tags: [{ slug: 'Not a slug!', name: 'x' }] }),
          post('second', { publishedAt: null }),
          post('first', {
            title: '',
            comments: [{ id: 1, authorName: 'E', body: 'Same id', createdAt: '2026-01-03T00:00:00Z', status: 'hidden' }],
          }),
        ]),
      );
      expect(error.code).toBe('validation');
      expect(error.message).toMatch(/^This is not a valid Quire export \(\d+ problems\)\.$/);
      const fields = error.errors!.map((e) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'posts[0].createdAt',
          'posts[0].tags[0].slug',
          'posts[1].publishedAt',
          'posts[2].title',
          'posts[2].comments[0].status',
        ]),
      );
      // Cross-references are checked once every post and comment has the right shape.
      const references = await importError(
        doc([
          post('first', {
            comments: [
              { id: 1, authorName: 'A', body: 'Top', createdAt: '2026-01-03T00:00:00Z' },
              { id: 2, parentId: 9, authorName: 'B', body: 'Orphan', createdAt: '2026-01-03T00:00:00Z' },
              { id: 3, parentId: 4, authorName: 'C', body: 'Loop', createdAt: '2026-01-03T00:00:00Z' },
              { id: 4, parentId: 3, authorName: 'D', body: 'Loop', createdAt: '2026-01-03T00:00:00Z' },
            ],
          }),
          post('second', { comments: [{ id: 5, parentId: 1, authorName: 'E', body: 'Elsewhere', createdAt: '2026-01-03T00:00:00Z' }] }),
          post('first', { comments: [{ id: 1, authorName: 'F', body: 'Same id', createdAt: '2026-01-03T00:00:00Z' }] }),
        ]),
      );
      expect(references.errors).toEqual([
        { field: 'posts[2].slug', message: 'The slug "first" is used by posts[0] too.' },
        { field: 'posts[2].comments[0].id', message: 'Another comment has the id 1 too; ids must be unique in the file.' },
        { field: 'posts[0].comments[1].parentId', message: 'No comment has the id 9.' },
        { field: 'posts[0].comments[2].parentId', message: 'Comment 3 is, through its parents, a reply to itself.' },
        { field: 'posts[0].comments[3].parentId', message: 'Comment 4 is, through its parents, a reply to itself.' },
        { field: 'posts[1].comments[0].parentId', message: 'Comment 1 is on another post; a reply must be on the same post.' },
      ]);
      expect((await importError({ format: 'quire-export', version: 3, posts: [] })).errors).toEqual([
        { field: 'version', message: 'version must be 1 or 2: the file comes from another version of Quire.' },
      ]);
      expect((await importError([])).errors![0]!.field).toBe('(the document)');
      expect(contentCounts()).toEqual(before);
    },
  );

  onlyOn('sqlite', 'makes the database refuse a row with a SQLite temporary trigger').it(
    'is all or nothing when the database refuses a row halfway',
    async () => {
      await importData(doc([post('existing')]));
      const before = contentCounts();
      // On the connection that writes (a temporary trigger belongs to one connection).
      await withSqliteWriter((writer) =>
        writer.exec(
          "CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON comments WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'refused boom'); END",
        ),
      );
      try {
        await expect(
          importData(
            doc([
              post('one', {
                tags: [{ slug: 'new-tag', name: 'New tag' }],
                comments: [{ id: 1, authorName: 'A', body: 'Fine', createdAt: '2026-01-03T00:00:00Z' }],
              }),
              post('two', { comments: [{ id: 2, authorName: 'B', body: 'boom', createdAt: '2026-01-03T00:00:00Z' }] }),
            ]),
          ),
        ).rejects.toThrow(/refused boom/);
      } finally {
        await withSqliteWriter((writer) => writer.exec('DROP TRIGGER refuse_boom'));
      }
      expect(contentCounts()).toEqual(before);
    },
  );

  it('refuses posts whose slug exists unless asked to replace them', async () => {
    await importData(
      doc([post('taken', { comments: [{ id: 1, authorName: 'Old', body: 'Old comment', createdAt: '2026-01-03T00:00:00Z' }] })]),
    );
    const conflict = await importError(doc([post('fresh'), post('taken', { title: 'New title' })]));
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toBe('1 post in the file already exists here: taken.');
    expect(conflict.errors).toEqual([{ field: 'posts[1].slug', message: 'A post with the slug "taken" already exists.' }]);
    expect((await exportData()).posts.map((p) => p.slug)).toEqual(['taken']);

    const result = await importData(doc([post('fresh'), post('taken', { title: 'New title' })]), { replace: true });
    expect(result).toMatchObject({ posts: 2, comments: 0, replaced: 1 });
    const posts = (await exportData()).posts;
    expect(posts.map((p) => [p.slug, p.title, p.comments.length])).toEqual([
      ['fresh', 'Title of fresh', 0],
      ['taken', 'New title', 0],
    ]);
  });

  it('imports comments by the author without the mark when the blog has no such account, and says so', async () => {
    const result = await importData(
      doc([
        post('mine', {
          comments: [
            { id: 1, authorName: 'Ada', authorEmail: 'ada@example.com', byAuthor: true, body: 'Mine', createdAt: '2026-01-03T00:00:00Z' },
          ],
        }),
      ]),
    );
    expect(result.unlinkedAuthorComments).toBe(1);
    expect((await exportData()).posts[0]!.comments[0]!.byAuthor).toBe(false);
  });

  /*
   * Issue 23, item 6: the import rendered every comment under today's limits, so one comment the blog
   * had accepted under others made its own export impossible to import ("Nothing was imported").
   */
  it('imports every comment the blog exported, also those today’s renderer refuses, and stores them escaped', async () => {
    const bodies = {
      // The review's code block: five lines of 985 `<` in `sh`, past the comment's time limit to highlight.
      slowCode: `\`\`\`sh\n${Array.from({ length: 5 }, () => '<'.repeat(985)).join('\n')}\n\`\`\``,
      // Past the time limit to parse at all (an import has no length limit of its own).
      slowText: fill('*a', 60_000),
      // Deeper than today's nesting limit (16 levels on one line), with a script to prove it is escaped.
      tooDeep: `${'> '.repeat(20)}deep <script>alert(1)</script>\n\nsecond paragraph`,
      ordinary: 'Nice *post*.',
    };
    const { id: postId } = await createPost({ title: 'Old comments', body: 'Text.', status: 'published' });
    // As a blog that accepted them under other limits stored them.
    await transaction(async (tx) => {
      for (const [authorName, body] of Object.entries(bodies)) {
        await tx
          .insert(comments)
          .values({ postId, authorName, body, html: '<p>as once rendered</p>', status: 'approved', createdAt: '2026-01-03T00:00:00.000Z' });
      }
    });
    const exported = await exportData();

    await emptyContent();
    expect(await importData(JSON.parse(JSON.stringify(exported)))).toMatchObject({ posts: 1, comments: 4 });
    expect(withoutTime(await exportData())).toBe(withoutTime(exported));
    const html = Object.fromEntries(
      (await getDb().select({ name: comments.authorName, html: comments.html }).from(comments)).map((row) => [row.name, row.html]),
    );
    expect(html.ordinary).toBe('<p>Nice <em>post</em>.</p>');
    // Long strings are compared as booleans: a failure would print them whole.
    expect(html.slowCode!.startsWith('<pre><code>')).toBe(true);
    expect(decode(html.slowCode!.replace(/<[^>]*>/g, ''))).toBe(`${bodies.slowCode.split('\n').slice(1, -1).join('\n')}\n`);
    expect(html.slowText === `<p>${bodies.slowText}</p>`).toBe(true);
    expect(html.tooDeep).toBe(`<p>${'> '.repeat(20)}deep &#x3C;script>alert(1)&#x3C;/script></p>\n<p>second paragraph</p>`);
  }, 60_000);
});

onlyOn('sqlite', 'moves SQLite files; tests/migrate-blog.test.ts moves blogs between both databases').describe(
  'npm run export / import',
  () => {
    beforeEach(() => clearTables(comments, posts, tags, users));

    it('moves a blog to a new database file exactly, and explains what it refuses', async () => {
      await writeVariedBlog();
      const source = process.env.DATABASE_PATH!;
      const file = tempFile('blog.json');
      const exported = await runScript('export.ts', ['--out', file], source);
      expect(exported.stderr).not.toMatch(STACK_TRACE);
      expect(exported.code).toBe(0);
      expect(exported.stdout).toMatch(/^Exported 5 posts and 8 comments to .*blog\.json \(\d+(\.\d)? KB\)\.$/m);

      // Moving in: a new blog, the author's account, then the import.
      const target = tempFile('moved.db');
      const account = await runScript('admin-create.ts', ['--email', 'ada@example.com', '--name', 'Ada Lovelace'], target, {
        QUIRE_ADMIN_PASSWORD: 'correct horse battery staple',
      });
      expect(account.code).toBe(0);
      const imported = await runScript('import.ts', [file], target);
      expect(imported.stderr).not.toMatch(STACK_TRACE);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain(`Imported 5 posts and 8 comments into ${target}.`);
      // Servers on that file expire their cached pages at once (server/cache-handler.mjs).
      const moved = new Database(target, { readonly: true });
      const expiry = moved.prepare("SELECT expired_at FROM cache_tag_expiries WHERE tag = 'content'").get() as
        { expired_at: number } | undefined;
      moved.close();
      expect(Date.now() - (expiry?.expired_at ?? 0)).toBeLessThan(60_000);

      // None of these writes, so they run side by side.
      const invalidFile = tempFile('invalid.json');
      fs.writeFileSync(invalidFile, JSON.stringify({ format: 'quire-export', version: 1, posts: [{ slug: 'x' }] }));
      const truncatedFile = tempFile('truncated.json');
      fs.writeFileSync(truncatedFile, '{"format": "quire-export", ');
      const [again, twice, invalid, notJson, overwrite] = await Promise.all([
        runScript('export.ts', [], target),
        runScript('import.ts', [file], target),
        runScript('import.ts', [invalidFile], target),
        runScript('import.ts', [truncatedFile], target),
        runScript('export.ts', ['--out', file], target),
      ]);

      // Exported again (to stdout this time), it is the same document.
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(`Exported 5 posts and 8 comments from ${target}.`);
      expect(withoutTime(JSON.parse(again.stdout) as ExportDocument)).toBe(
        withoutTime(JSON.parse(fs.readFileSync(file, 'utf8')) as ExportDocument),
      );

      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('5 posts in the file already exist here: unicode, closed-to-comments,');
      expect(twice.stderr).toContain('Nothing was imported. Run again with --replace');

      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toContain(`${invalidFile}: This is not a valid Quire export`);
      expect(invalid.stderr).toContain('  posts[0].title: title must be text.');

      expect(notJson.code).toBe(1);
      expect(notJson.stderr).toContain(`${truncatedFile} is not JSON`);

      expect(overwrite.code).toBe(1);
      expect(overwrite.stderr).toContain('already exists; an export never overwrites a file');
      for (const run of [twice, invalid, notJson, overwrite]) expect(run.stderr).not.toMatch(STACK_TRACE);

      const replaced = await runScript('import.ts', [file, '--replace'], target);
      expect(replaced.code).toBe(0);
      expect(replaced.stdout).toContain('(5 existing posts replaced)');
    });
  },
  SLOW,
);

describe('the command-line scripts', SLOW, () => {
  it.each(['admin-create.ts', 'db-backup.ts', 'db-restore.ts', 'export.ts', 'import.ts'])(
    '%s explains itself with --help',
    async (script) => {
      const run = await runScript(script, ['--help'], tempFile('help.db'));
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: npm run \S+/);
      expect(run.stdout.split('\n').length).toBeGreaterThan(2);
    },
  );

  it('answers an unknown option with the usage, not a stack trace', async () => {
    const run = await runScript('export.ts', ['--bogus'], tempFile('bogus.db'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain('Usage: npm run export -- --out FILE');
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });
});
