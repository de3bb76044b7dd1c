import { getDialect, openDatabase } from '@/db';
import { getEnv } from '@/lib/env';
import { publishCacheTags } from '@/lib/shared-cache-tags/expiries';

/*
 * Cache-tag expiry shared by every server process through the blog's database, for
 * server/cache-handler.mjs; the one module the rest of Quire imports. Each dialect's side is loaded
 * only where it runs: sqlite.ts (a connection of its own, PRAGMA data_version) or postgres.ts
 * (LISTEN/NOTIFY), both keeping the contract in expiries.ts.
 */

/**
 * Makes this process's shared tags available to server/cache-handler.mjs, before any request; resolves
 * to what stops them at shutdown. On SQLite the checks read on a connection of their own (they are
 * synchronous, as Next's cache handler is) and expiries are written in the app's write transactions
 * (a synchronous write would wait for the lock with the event loop stopped). On PostgreSQL through
 * LISTEN/NOTIFY, on a connection of its own.
 */
export async function shareCacheTags(): Promise<() => Promise<void>> {
  if (getDialect() === 'sqlite') {
    const { SharedCacheTags, inAppTransaction } = await import('@/lib/shared-cache-tags/sqlite');
    const { db } = openDatabase(getEnv().DATABASE_PATH);
    publishCacheTags(new SharedCacheTags(db, Date.now, inAppTransaction));
    return async () => {
      db.$client.close();
    };
  }
  const { PostgresCacheTags } = await import('@/lib/shared-cache-tags/postgres');
  const shared = new PostgresCacheTags();
  await shared.start();
  publishCacheTags(shared);
  return () => shared.stop();
}

/** Expires `tags` in the servers running on this database, from a process that serves nothing (a script). */
export async function expireInRunningServers(tags: readonly string[]): Promise<void> {
  if (getDialect() === 'postgres') {
    const { PostgresCacheTags } = await import('@/lib/shared-cache-tags/postgres');
    // Written to cache_tag_expiries and NOTIFYed; this process sends, so it needs no LISTEN of its own.
    await new PostgresCacheTags().expire(tags);
    return;
  }
  const { SharedCacheTags } = await import('@/lib/shared-cache-tags/sqlite');
  const { db } = openDatabase(getEnv().DATABASE_PATH);
  try {
    await new SharedCacheTags(db).expire(tags);
  } finally {
    db.$client.close();
  }
}
