import { desc, gt, lt, sql } from 'drizzle-orm';
import { type SqliteDB, prepareOnce, transaction } from '@/db';
import { cacheTagExpiries } from '@/db/schema';
import { CACHE_SECONDS } from '@/lib/cache';

/**
 * How long an expiry is remembered. An entry stored longer ago than this is a miss when it has any
 * tag, whatever expired since: it is long past CACHE_SECONDS, so Next would only have served it stale
 * once more. In return, expiries older than this can be forgotten, here and in the table, without
 * any process missing one it has not read yet.
 */
export const EXPIRY_MEMORY_MS = 5 * CACHE_SECONDS * 1000;

/** What Next passes as revalidateTag's second argument (`{ expire: 0 }` from lib/cache.ts). */
export interface TagDurations {
  expire?: number;
}

/**
 * Whether an entry stored at `storedAt` with these tags is out of date, given when each tag last
 * expired: one of them expired at or after that time, or the entry is older than the expiries remembered.
 */
export function isExpiredAt(expiredAt: ReadonlyMap<string, number>, tags: readonly string[], storedAt: number, now: number): boolean {
  if (now - storedAt > EXPIRY_MEMORY_MS) return true;
  for (const tag of tags) {
    const at = expiredAt.get(tag);
    // At the same millisecond the entry may have been rendered from the old data: a miss.
    if (at !== undefined && at >= storedAt && at <= now) return true;
  }
  return false;
}

/** One tag's expiry, as written to `cache_tag_expiries`. */
export interface Expiry {
  tag: string;
  at: number;
}

/**
 * Expiries are written in batches: the calls that come while one batch is being written wait for
 * the next, whose time is taken when it starts, so after each caller's own write committed. A storm
 * of comments on one post writes that post's tag once per batch instead of once per comment.
 */
export class ExpiryBatches {
  /** Tags waiting for the next batch, by how many milliseconds from its start they expire. */
  private waiting = new Map<number, Set<string>>();
  private next: Promise<void> | undefined;
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly write: (expiries: Expiry[]) => Promise<void>,
    private readonly now: () => number,
  ) {}

  /** Resolves once `tags` are written, at once or `durations.expire` seconds from then. */
  add(tags: readonly string[], durations?: TagDurations): Promise<void> {
    if (tags.length === 0) return Promise.resolve();
    const delay = (durations?.expire ?? 0) * 1000;
    const waiting = this.waiting.get(delay) ?? new Set<string>();
    this.waiting.set(delay, waiting);
    for (const tag of tags) waiting.add(tag);
    this.next ??= this.previous.then(() => this.writeWaiting());
    return this.next;
  }

  private writeWaiting(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = new Map();
    this.next = undefined;
    const start = this.now();
    const written = this.write([...waiting].flatMap(([delay, tags]) => [...tags].map((tag) => ({ tag, at: start + delay }))));
    this.previous = written.catch(() => undefined);
    return written;
  }
}

/** What writing expiries needs of a transaction: the synchronous query builder of better-sqlite3. */
type TagsTransaction = Pick<SqliteDB, 'select' | 'insert' | 'delete'>;

/** Runs `work` in one write transaction on the database. */
export type WriteTransaction = (work: (tx: TagsTransaction) => void) => Promise<void>;

/**
 * The two statements each batch of expiries runs, built once per connection as preparedQuery does
 * (db/index.ts): a storm of comments writes a batch every few milliseconds.
 */
const latestRevisionQueries = new WeakMap<object, { get(): { revision: number } | undefined }>();
const expiryUpserts = new WeakMap<object, { run(values: { tag: string; at: number; revision: number }): unknown }>();

/**
 * Cache-tag expiry times shared by every server process on one SQLite file, for
 * server/cache-handler.mjs. Checks are synchronous, as the handler's are, on a connection of their
 * own: checking an entry reads the rows other processes wrote since the last check, and only when
 * `PRAGMA data_version` says another connection has committed, so a cache hit costs one pragma and
 * a few map lookups. Expiring writes to `cache_tag_expiries` through `write`: in the server that is
 * the app's own queue of write transactions (db/index.ts), never a lock taken while the event loop
 * waits for it.
 */
export class SharedCacheTags {
  private readonly expiredAt = new Map<string, number>();
  private revision: number;
  private dataVersion: number;
  private forgottenAt = 0;
  private readonly readDataVersion;
  private readonly rowsAfter;
  private readonly batches: ExpiryBatches;

  constructor(
    private readonly db: SqliteDB,
    private readonly now: () => number = Date.now,
    private readonly write: WriteTransaction = async (work) => db.transaction(work, { behavior: 'immediate' }),
  ) {
    this.readDataVersion = db.$client.prepare('PRAGMA data_version').pluck();
    this.rowsAfter = db
      .select()
      .from(cacheTagExpiries)
      .where(gt(cacheTagExpiries.revision, sql.placeholder('revision')))
      .orderBy(cacheTagExpiries.revision)
      .prepare();
    // Expiries from before this process started concern no entry it can hold.
    this.revision = this.latestRevision(db);
    this.dataVersion = this.readDataVersion.get() as number;
    this.batches = new ExpiryBatches((expiries) => this.writeExpiries(expiries), now);
  }

  /** Expires `tags` for every process: at once, or `durations.expire` seconds from now. */
  expire(tags: readonly string[], durations?: TagDurations): Promise<void> {
    return this.batches.add(tags, durations);
  }

  /**
   * Whether an entry stored at `storedAt` with these tags is out of date: one of them expired (in
   * any process) at or after that time, or the entry is older than the expiries remembered.
   */
  isExpired(tags: readonly string[], storedAt: number): boolean {
    if (tags.length === 0) return false;
    const now = this.now();
    if (now - storedAt > EXPIRY_MEMORY_MS) return true;
    this.readNewExpiries();
    return isExpiredAt(this.expiredAt, tags, storedAt, now);
  }

  private writeExpiries(expiries: Expiry[]): Promise<void> {
    for (const { tag, at } of expiries) this.expiredAt.set(tag, at);
    return this.write((tx) => {
      let revision = this.latestRevision(tx);
      const upsert = prepareOnce(expiryUpserts, tx, () =>
        tx
          .insert(cacheTagExpiries)
          .values({ tag: sql.placeholder('tag'), expiredAt: sql.placeholder('at'), revision: sql.placeholder('revision') })
          .onConflictDoUpdate({
            target: cacheTagExpiries.tag,
            set: { expiredAt: sql`excluded.expired_at`, revision: sql`excluded.revision` },
          })
          .prepare(),
      );
      for (const { tag, at } of expiries) upsert.run({ tag, at, revision: ++revision });
      this.forgetOldExpiries(tx);
    });
  }

  private readNewExpiries(): void {
    const version = this.readDataVersion.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    for (const row of this.rowsAfter.all({ revision: this.revision })) {
      this.expiredAt.set(row.tag, row.expiredAt);
      this.revision = row.revision;
    }
  }

  private latestRevision(db: Pick<TagsTransaction, 'select'>): number {
    const query = prepareOnce(latestRevisionQueries, db, () =>
      db.select({ revision: cacheTagExpiries.revision }).from(cacheTagExpiries).orderBy(desc(cacheTagExpiries.revision)).limit(1).prepare(),
    );
    return query.get()?.revision ?? 0;
  }

  /** At most once per CACHE_SECONDS, on a write: keeps the map and the table to recent expiries. */
  private forgetOldExpiries(tx: TagsTransaction): void {
    const now = this.now();
    if (now - this.forgottenAt < CACHE_SECONDS * 1000) return;
    this.forgottenAt = now;
    const before = now - EXPIRY_MEMORY_MS;
    for (const [tag, at] of this.expiredAt) if (at < before) this.expiredAt.delete(tag);
    tx.delete(cacheTagExpiries).where(lt(cacheTagExpiries.expiredAt, before)).run();
  }
}

const GLOBAL = Symbol.for('quire.sharedCacheTags');

/** Makes this process's shared tags available to server/cache-handler.mjs, which Next loads outside the app's bundle. */
export function publishCacheTags<T extends { expire(tags: readonly string[], durations?: TagDurations): unknown }>(shared: T): T {
  (globalThis as Record<symbol, unknown>)[GLOBAL] = shared;
  return shared;
}

/** Writes expiries in the app's own queue of write transactions (db/index.ts), as the server does. */
export const inAppTransaction: WriteTransaction = (work) => transaction(async (tx) => work(tx as unknown as SqliteDB));

/** This process's shared tags on SQLite: checks on `db`, a connection of their own; expiries written in the app's transactions. */
export function shareCacheTags(db: SqliteDB): SharedCacheTags {
  return publishCacheTags(new SharedCacheTags(db, Date.now, inAppTransaction));
}
