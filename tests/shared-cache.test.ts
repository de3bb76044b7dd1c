import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFs } from 'next/dist/server/lib/node-fs-methods';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type SqliteDB, openDatabase, transaction } from '@/db';
import { getDatabasePath } from '@/db/config';
import { EXPIRY_MEMORY_MS, type Expiry, ExpiryBatches } from '@/lib/shared-cache-tags/expiries';
import { SharedCacheTags, inAppTransaction } from '@/lib/shared-cache-tags/sqlite';
import { createCacheHandler } from '@/server/cache-handler.mjs';

/*
 * Cache-tag expiry shared through the database file by server processes (WORKERS=N, or two servers
 * during a restart). Two connections to one file stand in for two processes: SQLite's data_version,
 * which tells a connection that another one has committed, does not care which process it is in.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-shared-cache-'));
const connections: SqliteDB[] = [];
afterAll(() => {
  connections.forEach((db) => db.$client.close());
  fs.rmSync(dir, { recursive: true, force: true });
});

let clock = 1_000_000;
const now = () => clock;
let file = 0;

/** Two "processes" on a new database file, by default with a clock the test moves. */
function twoProcesses(clockOf: () => number = now): [SharedCacheTags, SharedCacheTags, SqliteDB] {
  const databasePath = path.join(dir, `shared-${++file}.db`);
  const [a, b] = [openDatabase(databasePath).db, openDatabase(databasePath).db];
  connections.push(a, b);
  return [new SharedCacheTags(a, clockOf), new SharedCacheTags(b, clockOf), a];
}

beforeEach(() => {
  clock = 1_000_000;
});

describe('shared cache-tag expiry', () => {
  it('a tag expired in one process makes the other process’s older entries with that tag misses, and only those', async () => {
    const [a, b] = twoProcesses();
    const storedAt = clock;
    clock += 5;
    await a.expire(['post:hello', 'comment:7']);
    clock += 5;
    expect(b.isExpired(['content', 'post:hello'], storedAt)).toBe(true);
    expect(b.isExpired(['comment:7'], storedAt)).toBe(true);
    // Untouched entries stay hits.
    expect(b.isExpired(['content', 'post:other'], storedAt)).toBe(false);
    expect(b.isExpired([], storedAt)).toBe(false);
    // An entry stored after the expiry (rendered from the new data) is a hit.
    expect(b.isExpired(['post:hello'], clock)).toBe(false);
    // The process that expired the tag knows at once.
    expect(a.isExpired(['post:hello'], storedAt)).toBe(true);
  });

  it('an entry stored in the same millisecond as the expiry is a miss: it may hold the old data', async () => {
    const [a, b] = twoProcesses();
    await a.expire(['content']);
    expect(b.isExpired(['content'], clock)).toBe(true);
  });

  it('sees every write of the other process, however many come between two reads', async () => {
    const [a, b] = twoProcesses();
    const storedAt = clock;
    clock += 1;
    await Promise.all(Array.from({ length: 50 }, (_, n) => a.expire([`comment:${n}`])));
    await b.expire(['post:b']);
    await a.expire(['post:a']);
    expect([0, 25, 49].map((n) => b.isExpired([`comment:${n}`], storedAt))).toEqual([true, true, true]);
    expect(b.isExpired(['post:a'], storedAt)).toBe(true);
    expect(a.isExpired(['post:b'], storedAt)).toBe(true);
  });

  it('expires a tag given a lifetime only once that time has come', async () => {
    const [a, b] = twoProcesses();
    const storedAt = clock;
    await a.expire(['content'], { expire: 30 });
    clock += 10_000;
    expect(b.isExpired(['content'], storedAt)).toBe(false);
    clock += 20_000;
    expect(b.isExpired(['content'], storedAt)).toBe(true);
  });

  it('forgets old expiries, and treats entries older than what it remembers as misses', async () => {
    const [a, b, db] = twoProcesses();
    await a.expire(['post:old']);
    clock += EXPIRY_MEMORY_MS + 1;
    await a.expire(['post:new']);
    expect(db.$client.prepare('SELECT tag FROM cache_tag_expiries').pluck().all()).toEqual(['post:new']);
    expect(b.isExpired(['post:untouched'], clock - EXPIRY_MEMORY_MS - 1)).toBe(true);
    expect(b.isExpired(['post:untouched'], clock - 1)).toBe(false);
  });
});

describe('expiries written in batches', () => {
  /** A writer that holds each batch until the test lets it go, and remembers what it was given. */
  function heldWriter() {
    const batches: Expiry[][] = [];
    const release: (() => void)[] = [];
    const write = (expiries: Expiry[]) => {
      batches.push(expiries);
      return new Promise<void>((resolve) => release.push(resolve));
    };
    return { batches, release, write };
  }

  it('calls that come while a batch is written share the next one, each tag once', async () => {
    const { batches, release, write } = heldWriter();
    const expiries = new ExpiryBatches(write, now);
    const first = expiries.add(['post:a']);
    await Promise.resolve();
    expect(batches).toEqual([[{ tag: 'post:a', at: clock }]]);
    const waiting = Array.from({ length: 20 }, (_, n) => expiries.add(['post:hot', `comment:${n % 2}`]));
    await Promise.resolve();
    // The next batch waits for the one being written.
    expect(batches).toHaveLength(1);
    clock += 7;
    release[0]!();
    await first;
    await Promise.resolve();
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual(['post:hot', 'comment:0', 'comment:1'].map((tag) => ({ tag, at: clock })));
    release[1]!();
    await Promise.all(waiting);
  });

  it('times a batch when it starts, never before a call that joined it', async () => {
    const { batches, release, write } = heldWriter();
    const expiries = new ExpiryBatches(write, now);
    void expiries.add(['post:a']);
    await Promise.resolve();
    clock += 5;
    // Called after its own write committed, at clock + 5: the batch it joins cannot be timed earlier.
    const later = expiries.add(['post:b'], { expire: 30 });
    release[0]!();
    await Promise.resolve();
    await Promise.resolve();
    expect(batches[1]).toEqual([{ tag: 'post:b', at: clock + 30_000 }]);
    release[1]!();
    await later;
  });

  it('a failed write fails its callers and not the batches after it', async () => {
    let fail = true;
    const expiries = new ExpiryBatches(async () => {
      if (fail) throw new Error('disk full');
    }, now);
    await expect(expiries.add(['post:a'])).rejects.toThrow('disk full');
    fail = false;
    await expect(expiries.add(['post:a'])).resolves.toBeUndefined();
  });
});

describe('expiries written in the server’s own transactions', () => {
  it('wait for the transaction in progress with the event loop running, and reach the other processes', async () => {
    const [checks, other] = [openDatabase(getDatabasePath()).db, openDatabase(getDatabasePath()).db];
    connections.push(checks, other);
    const tags = new SharedCacheTags(checks, Date.now, inAppTransaction);
    const otherProcess = new SharedCacheTags(other);
    const storedAt = Date.now() - 1;
    // A request's write transaction, open across an await (its lock held meanwhile).
    let begun!: () => void;
    let commit!: () => void;
    const open = new Promise<void>((resolve) => (begun = resolve));
    const request = transaction(() => {
      begun();
      return new Promise<void>((resolve) => (commit = resolve));
    });
    await open;
    // Written on a connection of its own, this expiry would wait for the lock with the event loop
    // stopped (the request could never commit) and fail after the busy timeout.
    const expired = tags.expire(['post:busy']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    commit();
    await Promise.all([request, expired]);
    expect(otherProcess.isExpired(['post:busy'], storedAt)).toBe(true);
  });
});

describe('the cache handler (server/cache-handler.mjs)', () => {
  const context = {
    fs: nodeFs,
    dev: false,
    flushToDisk: false,
    serverDistDir: path.join(dir, 'server'),
    revalidatedTags: [],
    maxMemoryCacheSize: 50 * 1024 * 1024,
    _requestHeaders: {},
  };
  /** The handler as Next calls it; Next's types spell kinds as const enums, whose values are these strings. */
  interface Handler {
    get(key: string, ctx: object): Promise<unknown>;
    set(key: string, data: object, ctx: object): Promise<void>;
    revalidateTag(tags: string[], durations: { expire: number }): Promise<void>;
  }
  const create = (shared: () => SharedCacheTags | undefined) => new (createCacheHandler(shared))(context) as unknown as Handler;
  const page = (tags: string[]) => ({
    kind: 'APP_PAGE',
    html: '<p>cached</p>',
    rscData: Buffer.from('rsc'),
    headers: { 'x-next-cache-tags': tags.join(',') },
    status: 200,
    postponed: undefined,
    segmentData: undefined,
  });
  const pageContext = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false } as const;
  const fetchEntry = { kind: 'FETCH', data: { headers: {}, body: '"cached"', status: 200, url: '' }, revalidate: 60 };

  /*
   * In one test process both handlers share Next's memory LRU and its in-process tag manifest, so
   * the other "process" expires tags through the database only (SharedCacheTags), never through
   * Next: what this process's handler then answers depends on the shared table alone.
   */
  function handlers() {
    const [a, b] = twoProcesses(Date.now);
    return { other: a, handler: create(() => b) };
  }

  it('a page whose tag another process expired is a miss; its other pages stay hits', async () => {
    const { other, handler } = handlers();
    await handler.set('/route-cache/APP_PAGE/x/$/posts/hello', page(['content', 'post:hello', '_N_T_/layout', '_N_T_/posts/hello']), {
      ...pageContext,
      cacheControl: { revalidate: 60, expire: undefined },
    });
    await handler.set('/route-cache/APP_PAGE/x/$/posts/other', page(['content', 'post:other', '_N_T_/posts/other']), {
      ...pageContext,
      cacheControl: { revalidate: 60, expire: undefined },
    });
    expect(await handler.get('/route-cache/APP_PAGE/x/$/posts/hello', pageContext)).not.toBeNull();
    await other.expire(['post:hello']);
    expect(await handler.get('/route-cache/APP_PAGE/x/$/posts/hello', pageContext)).toBeNull();
    expect(await handler.get('/route-cache/APP_PAGE/x/$/posts/other', pageContext)).not.toBeNull();
  });

  it('follows the implicit path tags of pages and of unstable_cache entries', async () => {
    const { other, handler } = handlers();
    await handler.set('/route-cache/APP_PAGE/x/$/archive/latest', page(['content', '_N_T_/layout', '_N_T_/archive/latest']), {
      ...pageContext,
      cacheControl: { revalidate: 60, expire: undefined },
    });
    await handler.set('data-key', fetchEntry, { fetchCache: true, tags: ['content'] });
    const fetchContext = { kind: 'FETCH', tags: ['content'], softTags: ['_N_T_/layout', '_N_T_/tags/sqlite'] } as const;
    expect(await handler.get('data-key', fetchContext)).not.toBeNull();
    await other.expire(['_N_T_/archive/latest', '_N_T_/tags/sqlite']);
    expect(await handler.get('/route-cache/APP_PAGE/x/$/archive/latest', pageContext)).toBeNull();
    expect(await handler.get('data-key', fetchContext)).toBeNull();
    // The same data read under another path (other soft tags) is still a hit.
    expect(await handler.get('data-key', { ...fetchContext, softTags: ['_N_T_/layout', '_N_T_/tags/css'] })).not.toBeNull();
  });

  it('revalidateTag writes the expiry for the other processes', async () => {
    const { other, handler } = handlers();
    const storedAt = Date.now();
    await handler.revalidateTag(['post:shared'], { expire: 0 });
    expect(other.isExpired(['post:shared'], storedAt)).toBe(true);
  });

  it('without shared tags (during next build) it is Next’s memory cache alone', async () => {
    const handler = create(() => undefined);
    await handler.set('alone', fetchEntry, { fetchCache: true, tags: ['content'] });
    expect(await handler.get('alone', { kind: 'FETCH', tags: ['content'], softTags: [] })).not.toBeNull();
  });
});
