import { type SQL, eq, lt, sql } from 'drizzle-orm';
import { getDb, preparedQuery, writeStatement } from '@/db';
import { rateLimits } from '@/db/schema';
import { greatest, int64, least } from '@/db/sql';
import { AppError } from '@/lib/errors';
import { pluralize } from '@/lib/site/format';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface LimitState {
  count: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

let hits = 0;

/** One event counted against a key: the window restarts once it has expired, else the count goes up. */
const countHit = preparedQuery((db) => {
  const now = int64(sql.placeholder('now'));
  const windowOver = sql`${rateLimits.windowStart} <= ${int64(sql.placeholder('expired'))}`;
  return db
    .insert(rateLimits)
    .values({ key: sql.placeholder('key'), windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${windowOver} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${windowOver} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
});

const sweepOldWindows = (now: number) =>
  writeStatement(() =>
    getDb()
      .delete(rateLimits)
      .where(lt(rateLimits.windowStart, now - 86_400_000)),
  );

/**
 * Counts one event against `key` in a fixed window, in one statement, so every server process
 * shares the same counters, requests at once each count, and a restart does not reset them.
 */
export async function hit(key: string, { windowSeconds }: Limit, now = Date.now()): Promise<LimitState> {
  const windowMs = windowSeconds * 1000;
  const [row] = await writeStatement(() => countHit({ key, now, expired: now - windowMs }));
  // Old windows are swept now and then; they are never read once expired.
  if (++hits % 500 === 0) await sweepOldWindows(now);
  return { count: row!.count, retryAfter: Math.max(1, Math.ceil((row!.windowStart + windowMs - now) / 1000)) };
}

/**
 * A growing delay instead of a lock-out: the first `free` attempts go through at once, then each
 * one waits `baseSeconds`, doubling per attempt up to `maxSeconds`. A key is forgotten after a
 * quiet day (the sweep in `hit`).
 */
export interface Backoff {
  free: number;
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * Takes one attempt for `key` if its delay has passed, counting it before the caller does the
 * work (a password check, say), so attempts sent at once cannot all get through. The caller
 * takes the attempt back (`refundAttempt`, `clear`) when it turns out to have been legitimate.
 * One statement, so it is atomic across requests and server processes.
 */
export async function reserveAttempt(
  key: string,
  { free, baseSeconds, maxSeconds }: Backoff,
  now = Date.now(),
): Promise<{ allowed: true } | { allowed: false; retryAfter: number }> {
  // The moment the attempt after the n-th may come: at once while n < free, then a doubling delay.
  const nextAt = (n: SQL) =>
    sql`${int64(now)} + 1000 * CASE WHEN ${n} < ${free} THEN 0 ELSE ${least(maxSeconds, sql`${baseSeconds} * (1 << ${least(sql`${n} - ${free}`, 30)})`)} END`;
  const [taken] = await writeStatement(() =>
    getDb()
      .insert(rateLimits)
      .values({ key, windowStart: nextAt(sql`1`), count: 1 })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: { count: sql`${rateLimits.count} + 1`, windowStart: nextAt(sql`${rateLimits.count} + 1`) },
        setWhere: sql`${rateLimits.windowStart} <= ${int64(now)}`,
      })
      .returning({ key: rateLimits.key }),
  );
  if (taken) return { allowed: true };
  const [row] = await getDb().select({ nextAt: rateLimits.windowStart }).from(rateLimits).where(eq(rateLimits.key, key)).limit(1);
  return { allowed: false, retryAfter: Math.max(1, Math.ceil(((row?.nextAt ?? now) - now) / 1000)) };
}

/** Gives back one attempt taken by `reserveAttempt`, leaving the delay already earned in place. */
export async function refundAttempt(key: string): Promise<void> {
  await writeStatement(() =>
    getDb()
      .update(rateLimits)
      .set({ count: greatest(0, sql`${rateLimits.count} - 1`) })
      .where(eq(rateLimits.key, key)),
  );
}

export async function clear(key: string): Promise<void> {
  await writeStatement(() => getDb().delete(rateLimits).where(eq(rateLimits.key, key)));
}

/**
 * A wait as people say it: "in 30 seconds", "in about 9 minutes", "in about 2 hours". Exact
 * below a minute; rounded (and said to be "about") above, where the second does not matter.
 */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `in ${pluralize(seconds, 'second')}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${seconds % 60 === 0 ? '' : 'about '}${pluralize(minutes, 'minute')}`;
  return `in ${seconds % 3600 === 0 ? '' : 'about '}${pluralize(Math.round(seconds / 3600), 'hour')}`;
}

/** A 429 whose message speaks in words; `Retry-After` stays in seconds, for programs. */
export function tooManyRequests(retryAfter: number, detail: string): AppError {
  return new AppError('too_many_requests', `${detail} Try again ${describeWait(retryAfter)}.`, {
    headers: { 'Retry-After': String(retryAfter) },
  });
}
