import { desc, gt, lt, sql } from 'drizzle-orm';
import { type SqliteDB, prepareOnce, transaction } from '@/db';
import { cacheTagExpiries } from '@/db/schema';
import { CACHE_SECONDS } from '@/lib/cache';
import {
  EXPIRY_MEMORY_MS,
  type Expiry,
  ExpiryBatches,
  type SharedTags,
  type TagDurations,
  isExpiredAt,
} from '@/lib/shared-cache-tags/expiries';

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
export class SharedCacheTags implements SharedTags {
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

/** Writes expiries in the app's own queue of write transactions (db/index.ts), as the server does. */
export const inAppTransaction: WriteTransaction = (work) => transaction(async (tx) => work(tx as unknown as SqliteDB));
