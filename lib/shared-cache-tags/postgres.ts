import { gte, lt, sql } from 'drizzle-orm';
import { getDb, listen, queryRows, transaction } from '@/db';
import { int64 } from '@/db/sql';
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

const CHANNEL = 'quire_cache_tags';

/**
 * Cache-tag expiry shared by every Quire process on one PostgreSQL database, on any machine: the
 * PostgreSQL counterpart of SharedCacheTags. Expiring a tag writes its time to `cache_tag_expiries`
 * and NOTIFYs every process in the same transaction; each process LISTENs and keeps the times in
 * memory, so checking an entry stays a few map lookups. While the LISTEN connection is down nothing
 * can be known, so every tagged entry is a miss; when it is back, the rows written meanwhile are
 * read before the cache is trusted again.
 */
export class PostgresCacheTags implements SharedTags {
  private readonly expiredAt = new Map<string, number>();
  /** Since when notifications may have been missed; undefined while listening. */
  private missingSince: number | undefined;
  private forgottenAt = 0;
  private stopListening: (() => Promise<void>) | undefined;
  private readonly batches: ExpiryBatches;

  constructor(private readonly now: () => number = Date.now) {
    this.missingSince = now();
    this.batches = new ExpiryBatches((expiries) => this.writeExpiries(expiries), now);
  }

  /** Starts listening; resolves once notifications arrive (or after `timeoutMs`, still catching up in the background). */
  start(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.stopListening = listen(CHANNEL, {
        onNotify: (payload) => this.apply(payload),
        onListening: () => {
          void this.catchUp().finally(() => {
            clearTimeout(timer);
            resolve();
          });
        },
        onLost: (error) => {
          this.missingSince ??= this.now();
          console.error(
            `Quire: cache-tag notifications from PostgreSQL stopped (${error.message}); cached pages are bypassed until they resume.`,
          );
        },
      });
    });
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
  }

  /** Expires `tags` for every process: at once, or `durations.expire` seconds from now. */
  expire(tags: readonly string[], durations?: TagDurations): Promise<void> {
    return this.batches.add(tags, durations);
  }

  private async writeExpiries(expiries: Expiry[]): Promise<void> {
    const tagsAt = new Map<number, string[]>();
    for (const { tag, at } of expiries) {
      this.expiredAt.set(tag, at);
      tagsAt.set(at, [...(tagsAt.get(at) ?? []), tag]);
    }
    for (const [at, tags] of tagsAt) {
      // One statement (its own transaction): the rows' locks are held for it alone, not across round
      // trips, and taken in tag order, so two writers expiring the same tags queue instead of deadlocking.
      const rows = tags.sort().map((tag) => sql`(${tag}, ${int64(at)}, ${int64(at)})`);
      await queryRows(sql`
        WITH written AS (
          INSERT INTO cache_tag_expiries (tag, expired_at, revision) VALUES ${sql.join(rows, sql`, `)}
          ON CONFLICT (tag) DO UPDATE SET expired_at = excluded.expired_at, revision = excluded.revision
          RETURNING 1)
        SELECT pg_notify(${CHANNEL}, ${JSON.stringify({ tags, at })}) FROM (SELECT count(*) FROM written) AS done`);
    }
    await this.forgetOldExpiries();
  }

  isExpired(tags: readonly string[], storedAt: number): boolean {
    if (tags.length === 0) return false;
    if (this.missingSince !== undefined) return true;
    return isExpiredAt(this.expiredAt, tags, storedAt, this.now());
  }

  private apply(payload: string): void {
    try {
      const { tags, at } = JSON.parse(payload) as { tags: string[]; at: number };
      for (const tag of tags) if ((this.expiredAt.get(tag) ?? 0) < at) this.expiredAt.set(tag, at);
    } catch {
      // Not ours (someone NOTIFYing on the channel by hand): ignore it.
    }
  }

  /** Reads the expiries written while notifications were missed, then trusts the cache again. */
  private async catchUp(): Promise<void> {
    const since = this.missingSince;
    if (since === undefined) return;
    try {
      // A margin for clocks that differ between machines.
      const rows = await getDb()
        .select()
        .from(cacheTagExpiries)
        .where(gte(cacheTagExpiries.expiredAt, since - 60_000));
      for (const row of rows) if ((this.expiredAt.get(row.tag) ?? 0) < row.expiredAt) this.expiredAt.set(row.tag, row.expiredAt);
      this.missingSince = undefined;
    } catch (error) {
      console.error(`Quire: could not read cache-tag expiries: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** At most once per CACHE_SECONDS, on a write: keeps the map and the table to recent expiries. */
  private async forgetOldExpiries(): Promise<void> {
    const now = this.now();
    if (now - this.forgottenAt < CACHE_SECONDS * 1000) return;
    this.forgottenAt = now;
    const before = now - EXPIRY_MEMORY_MS;
    for (const [tag, at] of this.expiredAt) if (at < before) this.expiredAt.delete(tag);
    await transaction(async (tx) => {
      await tx.delete(cacheTagExpiries).where(lt(cacheTagExpiries.expiredAt, before));
    });
  }
}
