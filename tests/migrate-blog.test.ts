import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { asc, eq } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DB, type Dialect, closeDb, getDb, prepareDatabase } from '@/db';
import * as schema from '@/db/schema';
import * as sqliteSchema from '@/db/sqlite/schema';
import { createApiToken, findUserByApiToken } from '@/lib/auth/api-tokens';
import { sign } from '@/lib/auth/crypto';
import { createSession } from '@/lib/auth/sessions';
import { createUser, verifyCredentials } from '@/lib/auth/users';
import { createComment } from '@/lib/comments/submission';
import { deleteComments, setCommentsStatus, updateComment } from '@/lib/comments/moderation-queue';
import { commenterKey } from '@/lib/comments/reader-cookies';
import { updateCommentSettings } from '@/lib/comments/settings';
import { createPost, deletePost, updatePost } from '@/lib/content/posts';
import { searchPosts } from '@/lib/content/search';
import { AppError, type FieldError } from '@/lib/errors';
import { exportData } from '@/lib/transfer/export';
import { type ExportDocument, parseExport } from '@/lib/transfer/format';
import { importData } from '@/lib/transfer/import';
import { saveUpload } from '@/lib/site/assets';
import { updateSiteIdentity } from '@/lib/site/identity';
import { dialect, onlyOn } from './dialect';
import { createDatabase, dropDatabase } from './postgres-server';

/*
 * Moving a whole blog to another database (issue 13): `npm run export -- --full`, then
 * `npm run import` into a new database, on SQLite and on PostgreSQL and from one to the other. Every
 * row comes out as it went in, ids included; the account signs in, the API token works, and new
 * rows get ids after the imported ones. The scripts run as a user runs them, in child processes
 * given the database to use; this process then opens the moved blog itself to check it.
 */

const ROOT = process.cwd();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-migrate-'));
const PASSWORD = 'correct horse battery staple';
/** Child processes start slowly (tsx compiles on the fly). */
const SLOW = { timeout: 180_000 };

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npx tsx scripts/<script>` with `env` over this process's (DATABASE_URL '' means SQLite). */
function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', `scripts/${script}`, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const STACK_TRACE = /^\s+at /m;

/* Databases: the test's own (tests/setup.ts, tests/postgres-setup.ts) holds the blog; each move goes to a new one. */

type DatabaseEnv = { DATABASE_URL: string; DATABASE_PATH?: string };
const startedOn: DatabaseEnv = { DATABASE_URL: process.env.DATABASE_URL ?? '', DATABASE_PATH: process.env.DATABASE_PATH };
const madeOnServer: string[] = [];

/** A new, empty database: a file that does not exist yet, or a database created on the test's PostgreSQL server. */
async function newDatabase(kind: Dialect): Promise<DatabaseEnv> {
  const name = `quire_moved_${randomBytes(6).toString('hex')}`;
  if (kind === 'sqlite') return { DATABASE_URL: '', DATABASE_PATH: path.join(work, `${name}.db`) };
  madeOnServer.push(name);
  return { DATABASE_URL: await createDatabase(inject('postgresServerUrl'), name) };
}

function setEnv(env: DatabaseEnv): void {
  for (const [key, value] of Object.entries(env)) {
    if (value) process.env[key] = value;
    else delete process.env[key];
  }
}

/** Points this process at another database, as a server started with that configuration would be. */
async function useDatabase(env: DatabaseEnv): Promise<void> {
  await closeDb();
  setEnv(env);
  await prepareDatabase();
}

afterAll(async () => {
  // The setup files' own hooks come next: they close the connection and delete the test's database.
  await closeDb();
  setEnv(startedOn);
  for (const name of madeOnServer) await dropDatabase(inject('postgresServerUrl'), name);
  fs.rmSync(work, { recursive: true, force: true });
});

/* The blog. */

type Tables = Pick<typeof sqliteSchema, 'users' | 'apiTokens' | 'settings' | 'siteAssets' | 'tags' | 'posts' | 'postTags' | 'comments'>;

/** Every row a move carries, in key order; `tables` of the dialect `db` speaks. */
async function readRows(db: DB, t: Tables) {
  return {
    users: await db.select().from(t.users).orderBy(asc(t.users.id)),
    apiTokens: await db.select().from(t.apiTokens).orderBy(asc(t.apiTokens.id)),
    settings: await db.select().from(t.settings).orderBy(asc(t.settings.key)),
    siteAssets: await db.select().from(t.siteAssets).orderBy(asc(t.siteAssets.name)),
    tags: await db.select().from(t.tags).orderBy(asc(t.tags.id)),
    posts: await db.select().from(t.posts).orderBy(asc(t.posts.id)),
    postTags: await db.select().from(t.postTags).orderBy(asc(t.postTags.postId), asc(t.postTags.tagId)),
    comments: await db.select().from(t.comments).orderBy(asc(t.comments.id)),
  };
}

type Rows = Awaited<ReturnType<typeof readRows>>;

/** A small PNG, as an author would upload it. */
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 180, g: 40, b: 20, alpha: 1 } } })
    .png()
    .toBuffer();

/**
 * A blog with everything a move must carry: posts with tags (one tag on no post any more), a
 * thread of replies with every status, the author's reply, a reader's commenter key, an edited
 * comment, gaps in the ids (deleted rows), an account with a session and two API tokens, changed
 * settings, a logo and an icon, and the signing secret.
 */
async function writeBlog(): Promise<{ token: string }> {
  const author = await createUser({ email: 'ada@example.com', name: 'Ada Lovelace', password: PASSWORD });
  const { token } = await createApiToken(author.id, 'Deploy script', { expiresInDays: 30 });
  await createApiToken(author.id, 'Old laptop');
  await createSession(author.id);

  const moving = await createPost({
    title: 'Moving day',
    body: 'We *move* to another database: Zanzibar.\n\n```js\nconst x = "日本";\n```',
    status: 'published',
    publishedAt: '2026-01-02T03:04:05.000Z',
    tags: ['SQLite', 'PostgreSQL'],
  });
  const draft = await createPost({ title: 'A draft', body: 'Not yet.', status: 'draft', tags: ['Drafts'] });
  await updatePost(draft.slug, { tags: [] });
  const gone = await createPost({ title: 'Deleted before the move', body: 'Gone.', status: 'draft' });
  await deletePost(gone.slug);
  const later = await createPost({ title: 'After the gap', body: 'Ünïcødé 🎉 text.', status: 'published', commentsEnabled: false });

  const top = await createComment(
    moving.slug,
    { authorName: 'Zoë 🌸', authorEmail: 'zoe@example.com', body: 'Très **bien**!' },
    { commenterKey: commenterKey('reader-1') },
  );
  const reply = await createComment(moving.slug, { authorName: 'Grace', body: 'A reply.', parentId: top.id });
  await createComment(moving.slug, { authorName: 'Ada', body: 'Thanks, all!', parentId: reply.id }, { author });
  const held = await createComment(moving.slug, { authorName: 'Newcomer', body: 'Waiting for approval.' });
  await setCommentsStatus([held.id], 'pending');
  const spam = await createComment(moving.slug, { authorName: 'Bot', body: 'Buy [cheap](https://spam.example) things' });
  await setCommentsStatus([spam.id], 'spam');
  const removed = await createComment(later.slug, { authorName: 'Tim', body: 'Deleted.' }, { author });
  const edited = await createComment(moving.slug, { authorName: 'Barbara', body: 'Frist!' });
  await updateComment(edited.id, { body: 'First! (edited)' });
  await deleteComments([removed.id]);

  await updateCommentSettings({ moderation: 'hold_first_time', blocklist: ['casino'], maxLinks: 1 });
  await updateSiteIdentity({ name: 'Moved blog', authorBio: 'Writes about databases.', accentColor: '#8a2be2' });
  await saveUpload('logo', await png(200, 50));
  await saveUpload('icon', await png(64, 64));
  await sign('makes the signing secret');
  return { token };
}

const largest = (ids: number[]) => Math.max(0, ...ids);

/** The blog this process now uses is the one `source` was read from: every row, and it works. */
async function expectMoved(source: Rows, token: string): Promise<void> {
  const db = getDb();
  expect(await readRows(db, schema)).toEqual(source);
  // Sessions stay behind: everyone signs in again.
  expect(await db.select().from(schema.sessions)).toEqual([]);
  // scripts/import.ts told the servers running on it (SQLite's table, or PostgreSQL's NOTIFY and the same table).
  const [expiry] = await db.select().from(schema.cacheTagExpiries).where(eq(schema.cacheTagExpiries.tag, 'content'));
  expect(Date.now() - (expiry?.expiredAt ?? 0)).toBeLessThan(120_000);
  expect((await searchPosts('zanzibar', { limit: 5 })).data.map((hit) => hit.slug)).toEqual(['moving-day']);

  const ada = source.users[0]!;
  expect(await verifyCredentials('ada@example.com', PASSWORD)).toEqual({ id: ada.id, email: ada.email, name: ada.name });
  expect(await verifyCredentials('ada@example.com', 'not the password')).toBeUndefined();
  expect(await findUserByApiToken(token)).toEqual({ id: ada.id, email: ada.email, name: ada.name });

  // New rows take ids after the imported ones (PostgreSQL's sequences were moved past them).
  const post = await createPost({ title: 'First after the move', body: 'Hello.', status: 'published', tags: ['Moved'] });
  expect(post.id).toBeGreaterThan(largest(source.posts.map((row) => row.id)));
  const [tag] = await db.select().from(schema.tags).where(eq(schema.tags.slug, 'moved'));
  expect(tag!.id).toBeGreaterThan(largest(source.tags.map((row) => row.id)));
  const comment = await createComment(post.slug, { authorName: 'Reader', body: 'Welcome.' });
  expect(comment.id).toBeGreaterThan(largest(source.comments.map((row) => row.id)));
  const user = await createUser({ email: 'grace@example.com', name: 'Grace', password: PASSWORD });
  expect(user.id).toBeGreaterThan(ada.id);
  const created = await createApiToken(user.id, 'New token');
  expect(created.id).toBeGreaterThan(largest(source.apiTokens.map((row) => row.id)));
}

/** The problems parseExport lists for a file it refuses. */
function problems(input: unknown): FieldError[] {
  try {
    parseExport(input);
  } catch (error) {
    if (error instanceof AppError && error.errors) return error.errors;
    throw error;
  }
  throw new Error('The file is valid.');
}

const withoutTime = (doc: ExportDocument) => JSON.stringify({ ...doc, exportedAt: 'x' });
const readExport = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as ExportDocument;

describe('moving a whole blog: npm run export -- --full, then npm run import', SLOW, () => {
  let source: Rows;
  let token: string;
  const exported = path.join(work, 'blog.json');

  beforeAll(async () => {
    ({ token } = await writeBlog());
    source = await readRows(getDb(), schema);
    // The blog really has what the move must keep.
    expect(source.comments.map((row) => row.status).sort()).toEqual(['approved', 'approved', 'approved', 'approved', 'pending', 'spam']);
    expect(source.comments.filter((row) => row.parentId !== null)).toHaveLength(2);
    expect(source.settings.map((row) => row.key)).toEqual(['identity', 'signing_secret', 'site']);
    expect(source.siteAssets.map((row) => row.name)).toEqual(['favicon', 'icon', 'logo']);

    const run = await runScript('export.ts', ['--full', '--out', exported]);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Exported 3 posts, 6 comments, 3 tags, 1 account, 2 API tokens, 3 settings and 3 site images to .*blog\.json \(\d+(\.\d)? KB\)\.$/m,
    );
    expect(run.stdout).toContain('keep it as safe as a backup');
    expect(fs.statSync(exported).mode & 0o777).toBe(0o600);
  }, SLOW.timeout);

  it('writes the ids, accounts, tokens, settings and images, and no token or session', async () => {
    const doc = readExport(exported);
    expect(doc.version).toBe(2);
    expect(doc.users).toEqual([expect.objectContaining({ email: 'ada@example.com', passwordHash: expect.stringMatching(/^scrypt\$/) })]);
    expect(doc.apiTokens!.map((row) => row.tokenHash)).toEqual(source.apiTokens.map((row) => row.tokenHash));
    expect(JSON.stringify(doc)).not.toContain(token);
    expect(doc).not.toHaveProperty('sessions');
    expect(Buffer.from(doc.siteAssets!.find((asset) => asset.name === 'logo')!.data, 'base64')).toEqual(
      source.siteAssets.find((asset) => asset.name === 'logo')!.data,
    );
    expect(doc.posts.map((post) => post.id)).toEqual(source.posts.map((row) => row.id));
    expect(doc.posts[0]!.comments.map((comment) => [comment.id, comment.parentId])).toEqual(
      source.comments.filter((row) => row.postId === source.posts[0]!.id).map((row) => [row.id, row.parentId]),
    );
    // The file is valid as it is, and the script streamed exactly the document exportData() makes.
    expect(() => parseExport(doc)).not.toThrow();
    expect(fs.readFileSync(exported, 'utf8')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(withoutTime(await exportData({ full: true }))).toBe(withoutTime(doc));
  });

  it('checks the sections of a full export, naming each problem', () => {
    const doc = readExport(exported);
    const broken = structuredClone(doc);
    broken.users![0]!.passwordHash = PASSWORD;
    broken.siteAssets![0]!.data = 'not base64!';
    broken.apiTokens![0]!.tokenHash = 'quire_0123';
    expect(problems(broken).map((problem) => problem.field)).toEqual([
      'users[0].passwordHash',
      'apiTokens[0].tokenHash',
      'siteAssets[0].data',
    ]);

    const references = structuredClone(doc);
    references.apiTokens![0]!.userId = 99;
    references.posts[0]!.comments[0]!.authorUserId = 42;
    delete references.posts[1]!.id;
    references.posts[0]!.tags.push({ slug: 'nowhere', name: 'Nowhere' });
    references.tags!.push({ ...references.tags![0]!, slug: 'other' });
    delete references.siteAssets;
    expect(problems(references)).toEqual([
      {
        field: 'siteAssets',
        message: expect.stringMatching(/^A full export has users, apiTokens, settings, siteAssets, tags; .* but no siteAssets\.$/),
      },
      { field: 'apiTokens[0].userId', message: 'No user has the id 99.' },
      { field: 'tags[3].id', message: `Another tag has the id ${doc.tags![0]!.id} too.` },
      { field: 'posts[0].tags[2].slug', message: 'No tag in tags has the slug "nowhere".' },
      { field: 'posts[0].comments[0].authorUserId', message: 'No user has the id 42.' },
      { field: 'posts[1].id', message: 'A full export gives every post its id.' },
    ]);
  });

  it(`moves to a new ${dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} database with every row and id as it was`, async () => {
    // Not into a blog that has rows of its own (this one), and never with --replace.
    const full = readExport(exported);
    await expect(importData(full)).rejects.toMatchObject({
      code: 'conflict',
      message:
        'A full export goes into a new, empty blog, where every row keeps its id, and this one has 3 posts, 1 account and 3 tags. ' +
        'Import it into a new database: a new file in DATABASE_PATH, or a newly created PostgreSQL database in DATABASE_URL.',
    });
    await expect(importData(full, { replace: true })).rejects.toMatchObject({ code: 'bad_request' });
    expect(await readRows(getDb(), schema)).toEqual(source);

    const target = await newDatabase(dialect);
    const run = await runScript('import.ts', [exported], target);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Imported the whole blog into .*: 3 posts, 6 comments, 3 tags, 1 account, 2 API tokens, 3 settings and 3 site images, every id kept\.$/m,
    );
    expect(run.stdout).toContain('everyone signs in again');

    await useDatabase(target);
    await expectMoved(source, token);

    // Into it again: it is not empty any more, and --replace is no way round that. --full asks for a full export.
    const postsOnly = path.join(work, 'posts-only.json');
    fs.writeFileSync(postsOnly, JSON.stringify({ format: 'quire-export', version: 1, posts: [] }));
    const [again, replacing, notFull] = await Promise.all([
      runScript('import.ts', [exported], target),
      runScript('import.ts', [exported, '--replace'], target),
      runScript('import.ts', ['--full', postsOnly], target),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('A full export goes into a new, empty blog');
    expect(again.stderr).toContain('Nothing was imported.');
    expect(again.stderr).not.toContain('--replace');
    expect(replacing.code).toBe(1);
    expect(replacing.stderr).toContain('it replaces nothing: import it without --replace.');
    expect(notFull.code).toBe(1);
    expect(notFull.stderr).toContain(`${postsOnly} holds posts and comments only, not a whole blog.`);
    for (const run of [again, replacing, notFull]) expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  onlyOn('postgres', 'SQLite backs up with npm run db:backup').it(
    'points npm run db:backup and db:restore to pg_dump and pg_restore',
    async () => {
      const [backup, restore] = await Promise.all([runScript('db-backup.ts', []), runScript('db-restore.ts', ['quire.dump'])]);
      for (const [run, command] of [
        [backup, 'npm run db:backup'],
        [restore, 'npm run db:restore'],
      ] as const) {
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(
          `${command} copies a SQLite file, and DATABASE_URL names a PostgreSQL database: back it up with pg_dump`,
        );
        expect(run.stderr).toContain('(docs/operations.md, "Backups on PostgreSQL")');
        expect(run.stderr).not.toMatch(STACK_TRACE);
      }
    },
  );

  onlyOn('postgres', 'needs the test PostgreSQL server for the other end').it(
    'moves from PostgreSQL to SQLite and back, every row and id as it was',
    async () => {
      const sqliteFile = await newDatabase('sqlite');
      const toSqlite = await runScript('import.ts', [exported], sqliteFile);
      expect(toSqlite.stderr).not.toMatch(STACK_TRACE);
      expect(toSqlite.code).toBe(0);
      const client = new Database(sqliteFile.DATABASE_PATH, { readonly: true });
      try {
        const moved = drizzleSqlite({ client, schema: sqliteSchema, casing: 'snake_case' }) as unknown as DB;
        expect(await readRows(moved, sqliteSchema)).toEqual(source);
      } finally {
        client.close();
      }

      // Exported from SQLite, it is the same file; imported into PostgreSQL, the same blog.
      const back = path.join(work, 'from-sqlite.json');
      const fromSqlite = await runScript('export.ts', ['--full', '--out', back], sqliteFile);
      expect(fromSqlite.code).toBe(0);
      expect(withoutTime(readExport(back))).toBe(withoutTime(readExport(exported)));
      const target = await newDatabase('postgres');
      const toPostgres = await runScript('import.ts', ['--full', back], target);
      expect(toPostgres.stderr).not.toMatch(STACK_TRACE);
      expect(toPostgres.code).toBe(0);
      await useDatabase(target);
      await expectMoved(source, token);
    },
  );
});
