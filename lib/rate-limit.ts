import { lt, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { rateLimits } from '@/db/schema';
import { AppError } from '@/lib/errors';

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

/**
 * Counts one event against `key` in a fixed window, atomically in SQLite, so every server
 * process shares the same counters and a restart does not reset them.
 */
export function hit(key: string, { windowSeconds }: Limit, now = Date.now()): LimitState {
  const windowMs = windowSeconds * 1000;
  const expired = now - windowMs;
  const row = getDb()
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} <= ${expired} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${rateLimits.windowStart} <= ${expired} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart })
    .get();
  // Old windows are swept now and then; they are never read once expired.
  if (++hits % 500 === 0)
    getDb()
      .delete(rateLimits)
      .where(lt(rateLimits.windowStart, now - 86_400_000))
      .run();
  return { count: row.count, retryAfter: Math.max(1, Math.ceil((row.windowStart + windowMs - now) / 1000)) };
}

/** The current count without adding to it. */
export function peek(key: string, { windowSeconds }: Limit, now = Date.now()): LimitState {
  const row = getDb()
    .select({ count: rateLimits.count, windowStart: rateLimits.windowStart })
    .from(rateLimits)
    .where(sql`${rateLimits.key} = ${key} AND ${rateLimits.windowStart} > ${now - windowSeconds * 1000}`)
    .get();
  return row
    ? { count: row.count, retryAfter: Math.max(1, Math.ceil((row.windowStart + windowSeconds * 1000 - now) / 1000)) }
    : { count: 0, retryAfter: 0 };
}

export function clear(key: string): void {
  getDb()
    .delete(rateLimits)
    .where(sql`${rateLimits.key} = ${key}`)
    .run();
}

export function tooManyRequests(retryAfter: number, detail: string): AppError {
  return new AppError('too_many_requests', `${detail} Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`, {
    headers: { 'Retry-After': String(retryAfter) },
  });
}
