import { AsyncLocalStorage } from 'node:async_hooks';
import { and, asc, eq, gt, lt, lte } from 'drizzle-orm';
import { getDb } from '@/db';
import { posts } from '@/db/schema';
import { tags as cacheTags, expireOutsideRequest } from '@/lib/cache';

/*
 * Scheduled posts go live by the clock: a post is live once its publication time has come
 * (lib/content/posts.ts isLive), with no write at that moment to expire the cached pages, feeds and
 * sitemap that were rendered before it. So every server process (each worker, each instance) keeps a
 * timer for the next publication time and, when it comes, expires the `content` tag and the post's
 * own, in its memory and through the shared expiry (database, Redis) for every other. Expiring twice
 * is harmless, so nothing is elected: every process does it, and one that is down does not hold
 * the others back.
 */

/**
 * How often a process reads the next publication time again, for posts scheduled or rescheduled by
 * another process (its own writes re-arm it at once). A post scheduled elsewhere less than this ahead
 * of its time is still published on time by the process that wrote it, whose expiry every other
 * process reads; this process catches up at its next read at the latest.
 */
export const PUBLICATION_POLL_MS = 5_000;
/** The longest single wait: the poll re-arms the timer long before, and setTimeout overflows past 24.8 days. */
const MAX_WAIT_MS = 60 * 60 * 1000;

/**
 * Slugs of posts that went live by the clock in (after, upTo]: published, with a time in that range
 * that came after their last write. A post published at once (its time is its write's) was expired
 * by that write, so it is not expired again. One range on the (status, published_at, updated_at) index.
 */
export async function postsGoneLive(after: string, upTo: string): Promise<string[]> {
  const rows = await getDb()
    .select({ slug: posts.slug })
    .from(posts)
    .where(
      and(
        eq(posts.status, 'published'),
        gt(posts.publishedAt, after),
        lte(posts.publishedAt, upTo),
        lt(posts.updatedAt, posts.publishedAt),
      ),
    );
  return rows.map((row) => row.slug);
}

/** The next publication time after `now`, if a post is scheduled: the first entry of the (status, published_at) index. */
export async function nextPublicationTime(now: string): Promise<string | undefined> {
  const [row] = await getDb()
    .select({ at: posts.publishedAt })
    .from(posts)
    .where(and(eq(posts.status, 'published'), gt(posts.publishedAt, now)))
    .orderBy(asc(posts.publishedAt))
    .limit(1);
  return row?.at ?? undefined;
}

export class PublicationClock {
  /** Publications up to this time have been handled (expired, or were before this process cached anything). */
  private since: string;
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /**
   * Runs in the context the clock was made in (start-up): a check asked for by a request's write
   * must not arm a timer that keeps that request's context alive until the next publication.
   */
  private readonly outsideRequests = AsyncLocalStorage.snapshot();

  constructor(
    private readonly expire: (tags: string[]) => Promise<void> = (tags) => expireOutsideRequest(...tags),
    private readonly now: () => number = Date.now,
    private readonly pollMs = PUBLICATION_POLL_MS,
  ) {
    this.since = new Date(now()).toISOString();
  }

  /** Reads the schedule now and every `pollMs`; the timers never keep the process alive. */
  start(): Promise<void> {
    this.poller = setInterval(() => void this.check(), this.pollMs);
    this.poller.unref();
    return this.check();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poller);
    clearTimeout(this.timer);
  }

  /**
   * Expires what went live since the last check and arms the timer for the next publication. Checks
   * never overlap: one asked for during another runs once more after it. Never rejects.
   */
  check(): Promise<void> {
    return this.outsideRequests(() => {
      if (this.running) {
        this.again = true;
        return this.running;
      }
      this.running = this.tick()
        .catch((error: unknown) => {
          // The next poll tries again (and `since` has not moved, so nothing that went live is skipped).
          console.error(`Quire: could not check the publication schedule: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          this.running = undefined;
          if (this.again && !this.stopped) {
            this.again = false;
            void this.check();
          }
        });
      return this.running;
    });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = new Date(this.now()).toISOString();
    const live = await postsGoneLive(this.since, now);
    if (live.length > 0) await this.expire([cacheTags.content, ...live.map(cacheTags.post)]);
    this.since = now;
    const next = await nextPublicationTime(now);
    clearTimeout(this.timer);
    if (next === undefined || this.stopped) return;
    // A timer that fires a moment early finds nothing live yet and is armed again for the rest.
    this.timer = setTimeout(() => void this.check(), Math.min(Math.max(0, Date.parse(next) - this.now()), MAX_WAIT_MS));
    this.timer.unref();
  }
}

const GLOBAL = Symbol.for('quire.publicationClock');
type WithClock = Record<symbol, PublicationClock | undefined>;

/** Starts this process's clock (instrumentation.ts); returns how to stop it. */
export async function startPublicationClock(): Promise<() => void> {
  const clock = new PublicationClock();
  (globalThis as WithClock)[GLOBAL] = clock;
  await clock.start();
  return () => clock.stop();
}

/** After a post write in this process: its time may be the next one (or no longer be). Outside the server, nothing. */
export function publicationScheduleChanged(): void {
  void (globalThis as WithClock)[GLOBAL]?.check();
}
