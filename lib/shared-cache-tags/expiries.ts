import { CACHE_SECONDS } from '@/lib/cache';

/*
 * What both dialects' shared cache tags (sqlite.ts, postgres.ts beside this file) have in common:
 * the contract server/cache-handler.mjs calls, how long expiries are remembered, and their batching.
 */

/** What server/cache-handler.mjs calls on this process's shared tags (its SharedTags typedef). */
export interface SharedTags {
  /** Expires `tags` for every process: at once, or `durations.expire` seconds from now. */
  expire(tags: readonly string[], durations?: TagDurations): Promise<void>;
  /** Whether an entry stored at `storedAt` with these tags is out of date in any process. */
  isExpired(tags: readonly string[], storedAt: number): boolean;
}

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

const GLOBAL = Symbol.for('quire.sharedCacheTags');

/** Makes this process's shared tags available to server/cache-handler.mjs, which Next loads outside the app's bundle. */
export function publishCacheTags<T extends SharedTags>(shared: T): T {
  (globalThis as Record<symbol, unknown>)[GLOBAL] = shared;
  return shared;
}
