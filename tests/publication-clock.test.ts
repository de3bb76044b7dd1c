import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { transaction } from '@/db';
import { posts } from '@/db/schema';
import { PublicationClock, nextPublicationTime, postsGoneLive } from '@/lib/content/publication-clock';
import { createPost, updatePost } from '@/lib/content/posts';
import { resetDatabase } from './helpers';

/*
 * What each server process's publication clock reads (the e2e test in e2e/scheduling.spec.ts checks
 * the pages): the next publication time, and the posts that went live by the clock since the last check.
 */

beforeEach(resetDatabase);

const iso = (ms: number) => new Date(ms).toISOString();
const schedule = (slug: string, at: number) => createPost({ title: slug, slug, body: 'Text.', status: 'scheduled', publishedAt: iso(at) });

describe('the publication schedule', () => {
  it('names the next publication time, and nothing once every post is live or a draft', async () => {
    expect(await nextPublicationTime(iso(Date.now()))).toBeUndefined();
    await createPost({ title: 'Live', body: 'Text.', status: 'published' });
    const now = Date.now();
    await createPost({ title: 'Draft', body: 'Text.', status: 'draft', publishedAt: iso(now + 1_000) });
    await schedule('later', now + 120_000);
    await schedule('sooner', now + 60_000);
    expect(await nextPublicationTime(iso(now))).toBe(iso(now + 60_000));
    expect(await nextPublicationTime(iso(now + 60_000))).toBe(iso(now + 120_000));
    expect(await nextPublicationTime(iso(now + 120_000))).toBeUndefined();
  });

  it('finds the posts that went live by the clock in a window, not those published by a write', async () => {
    const now = Date.now();
    await schedule('due', now + 60_000);
    await createPost({ title: 'At once', slug: 'at-once', body: 'Text.', status: 'published' });
    expect(await postsGoneLive(iso(now - 1_000), iso(now + 59_999))).toEqual([]);
    expect(await postsGoneLive(iso(now - 1_000), iso(now + 60_000))).toEqual(['due']);
    expect(await postsGoneLive(iso(now + 60_000), iso(now + 90_000))).toEqual([]);
    // Edited after its time, it was expired by that edit.
    await transaction((tx) =>
      tx
        .update(posts)
        .set({ updatedAt: iso(now + 61_000) })
        .where(eq(posts.slug, 'due')),
    );
    expect(await postsGoneLive(iso(now - 1_000), iso(now + 90_000))).toEqual([]);
  });
});

describe('PublicationClock', () => {
  let clock: PublicationClock | undefined;
  afterEach(() => clock?.stop());

  it('expires the content and the post at its time, once, and follows a reschedule', async () => {
    let now = Date.now();
    const expired: string[][] = [];
    clock = new PublicationClock(
      async (tags) => void expired.push(tags),
      () => now,
      3_600_000,
    );
    await schedule('soon', now + 60_000);
    await clock.start();
    expect(expired).toEqual([]);

    now += 60_000;
    await clock.check();
    expect(expired).toEqual([['content', 'post:soon']]);
    await clock.check();
    expect(expired).toHaveLength(1);

    // Another post, rescheduled earlier by a write: the next check follows the new time.
    await schedule('next', now + 120_000);
    await updatePost('next', { status: 'scheduled', publishedAt: iso(now + 30_000) });
    now += 30_000;
    await clock.check();
    expect(expired).toEqual([
      ['content', 'post:soon'],
      ['content', 'post:next'],
    ]);
  });

  it('keeps what it has not expired for the next check when expiring fails', async () => {
    let now = Date.now();
    let fail = true;
    const expired: string[][] = [];
    clock = new PublicationClock(
      async (tags) => {
        if (fail) throw new Error('the database is busy');
        expired.push(tags);
      },
      () => now,
      3_600_000,
    );
    await schedule('retry', now + 10_000);
    await clock.start();
    now += 10_000;
    await clock.check();
    fail = false;
    now += 5_000;
    await clock.check();
    expect(expired).toEqual([['content', 'post:retry']]);
  });
});
