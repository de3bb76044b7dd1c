import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { queryRows } from '@/db';
import { PostgresCacheTags } from '@/lib/shared-cache-tags/postgres';
import { onlyOn } from './dialect';

/*
 * Cache-tag expiry between processes on PostgreSQL (lib/shared-cache-tags/postgres.ts): two
 * PostgresCacheTags stand for two processes, each LISTENing on a connection of its own.
 */

const started: PostgresCacheTags[] = [];
afterAll(() => Promise.all(started.map((shared) => shared.stop())));

async function startProcess(): Promise<PostgresCacheTags> {
  const shared = new PostgresCacheTags();
  started.push(shared);
  await shared.start();
  return shared;
}

const until = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

onlyOn('postgres', 'LISTEN/NOTIFY is PostgreSQL’s; tests/shared-cache.test.ts covers SQLite').describe(
  'cache tags shared through PostgreSQL',
  () => {
    it('a tag expired in one process is expired in the other, and written for those that start later', async () => {
      const [a, b] = [await startProcess(), await startProcess()];
      const storedAt = Date.now() - 1;
      expect(b.isExpired(['post:1', 'posts'], storedAt)).toBe(false);
      await a.expire(['posts', 'post:1', 'posts']);
      await until(() => b.isExpired(['post:1'], storedAt));
      expect(b.isExpired(['posts'], storedAt)).toBe(true);
      expect(b.isExpired(['post:2'], storedAt)).toBe(false);
      // An entry stored after the expiry is fresh.
      expect(b.isExpired(['posts'], Date.now() + 1)).toBe(false);
      const rows = await queryRows<{ tag: string }>(sql`SELECT tag FROM cache_tag_expiries ORDER BY tag`);
      expect(rows.map((row) => row.tag)).toEqual(['post:1', 'posts']);
    });

    it('expiring the same tags from many processes at once neither fails nor deadlocks', async () => {
      const processes = await Promise.all([1, 2, 3, 4].map(() => startProcess()));
      await Promise.all(processes.flatMap((shared, n) => [1, 2, 3].map(() => shared.expire(n % 2 ? ['x', 'y', 'z'] : ['z', 'y', 'x']))));
      const [row] = await queryRows<{ n: number }>(sql`SELECT count(*) AS n FROM cache_tag_expiries WHERE tag IN ('x', 'y', 'z')`);
      expect(row!.n).toBe(3);
    });
  },
);
