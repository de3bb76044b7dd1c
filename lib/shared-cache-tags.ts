import { desc, gt, lt, sql } from 'drizzle-orm';
import type { SqliteDB } from '@/db';
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

/**
 * Cache-tag expiry times shared by every server process on one SQLite file, for
 * server/cache-handler.mjs, on a synchronous connection of its own (the handler's checks are
 * synchronous). Expiring a tag writes its time to `cache_tag_expiries`; checking an
 * entry reads the rows other processes wrote since the last check, and only when
 * `PRAGMA data_version` says another connection has committed, so a cache hit costs one pragma
 * and a few map lookups.
 */
export class SharedCacheTags {
  private readonly expiredAt = new Map<string, number>();
  private revision: number;
  private dataVersion: number;
  private forgottenAt = 0;
  private readonly readDataVersion;
  private readonly rowsAfter;

  constructor(
    private readonly db: SqliteDB,
    private readonly now: () => number = Date.now,
  ) {
    this.readDataVersion = db.$client.prepare('PRAGMA data_version').pluck();
    this.rowsAfter = db
      .select()
      .from(cacheTagExpiries)
      .where(gt(cacheTagExpiries.revision, sql.placeholder('revision')))
      .orderBy(cacheTagExpiries.revision)
      .prepare();
    // Expiries from before this process started concern no entry it can hold.
    this.revision = this.latestRevision();
    this.dataVersion = this.readDataVersion.get() as number;
  }

  /** Expires `tags` for every process: at once, or `durations.expire` seconds from now. */
  expire(tags: readonly string[], durations?: TagDurations): void {
    const at = this.now() + (durations?.expire ?? 0) * 1000;
    this.db.transaction(
      (tx) => {
        let revision = this.latestRevision(tx);
        for (const tag of tags) {
          revision++;
          tx.insert(cacheTagExpiries)
            .values({ tag, expiredAt: at, revision })
            .onConflictDoUpdate({ target: cacheTagExpiries.tag, set: { expiredAt: at, revision } })
            .run();
        }
      },
      { behavior: 'immediate' },
    );
    for (const tag of tags) this.expiredAt.set(tag, at);
    this.forgetOldExpiries();
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

  private readNewExpiries(): void {
    const version = this.readDataVersion.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    for (const row of this.rowsAfter.all({ revision: this.revision })) {
      this.expiredAt.set(row.tag, row.expiredAt);
      this.revision = row.revision;
    }
  }

  private latestRevision(db: Pick<SqliteDB, 'select'> = this.db): number {
    const row = db
      .select({ revision: cacheTagExpiries.revision })
      .from(cacheTagExpiries)
      .orderBy(desc(cacheTagExpiries.revision))
      .limit(1)
      .get();
    return row?.revision ?? 0;
  }

  /** At most once per CACHE_SECONDS, on a write: keeps the map and the table to recent expiries. */
  private forgetOldExpiries(): void {
    const now = this.now();
    if (now - this.forgottenAt < CACHE_SECONDS * 1000) return;
    this.forgottenAt = now;
    const before = now - EXPIRY_MEMORY_MS;
    for (const [tag, at] of this.expiredAt) if (at < before) this.expiredAt.delete(tag);
    this.db.delete(cacheTagExpiries).where(lt(cacheTagExpiries.expiredAt, before)).run();
  }
}

const GLOBAL = Symbol.for('quire.sharedCacheTags');

/** Makes this process's shared tags available to server/cache-handler.mjs, which Next loads outside the app's bundle. */
export function publishCacheTags<T extends { expire(tags: readonly string[], durations?: TagDurations): unknown }>(shared: T): T {
  (globalThis as Record<symbol, unknown>)[GLOBAL] = shared;
  return shared;
}

export function shareCacheTags(db: SqliteDB): SharedCacheTags {
  return publishCacheTags(new SharedCacheTags(db));
}
