import { eq, sql } from 'drizzle-orm';
import { getDb, preparedQuery, transaction, type Tx } from '@/db';
import { settings } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';

/*
 * The settings table, a key and a text per row, for every module that keeps something there: the
 * comment settings ('site'), the site's identity ('identity'), the signing key, the setup token's hash
 * and the render version. A leaf, so any layer may keep its settings here.
 */

/** The stored text of a row, read as it is now. */
export async function readSetting(key: string): Promise<string | undefined> {
  const [row] = await getDb().select({ value: settings.value }).from(settings).where(eq(settings.key, key)).limit(1);
  return row?.value;
}

/** Stores a row's text in a transaction of its own; `ifMissing` keeps a row already there. */
export async function storeSetting(key: string, value: string, { ifMissing = false } = {}): Promise<void> {
  await transaction(async (tx) => {
    const insert = tx.insert(settings).values({ key, value });
    await (ifMissing ? insert.onConflictDoNothing() : insert.onConflictDoUpdate({ target: settings.key, set: { value } }));
  });
}

/** Deletes a row inside the caller's transaction and returns what it held: one statement, so only one caller gets it. */
export async function takeSetting(tx: Tx, key: string): Promise<string | undefined> {
  const [taken] = await tx.delete(settings).where(eq(settings.key, key)).returning({ value: settings.value });
  return taken?.value;
}

/**
 * The last stored text of each settings row and what it parsed to. The row is read on every call,
 * so a change made by another process counts at once, but the parsing is done only when the stored
 * text changes: a comment post reads the settings several times.
 */
const lastParsed = new Map<string, { raw: string | undefined; value: unknown }>();

const storedValue = preparedQuery((db) =>
  db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .limit(1),
);

/** A settings row parsed with `parse`, which gets `{}` for a missing or hand-broken value. */
export async function readStoredSetting<T>(key: string, parse: (stored: unknown) => T): Promise<T> {
  const [row] = await storedValue({ key });
  const raw = row?.value;
  let last = lastParsed.get(key);
  if (!last || last.raw !== raw) {
    let stored: unknown = {};
    try {
      stored = raw ? JSON.parse(raw) : {};
    } catch {
      // A hand-edited, broken value falls back to the defaults rather than taking the blog down.
    }
    last = { raw, value: parse(stored) };
    lastParsed.set(key, last);
  }
  // A copy, so a caller that changes its object cannot change what the next caller reads.
  return structuredClone(last.value as T);
}

/**
 * Changes a settings row from its current value, all in one transaction. The row is locked first
 * (created if missing) by an upsert that leaves its value as it is, so two changes at once, from two
 * processes or two PostgreSQL connections, each build on the other's instead of one being lost.
 * Then every page is expired: settings decide what each one shows.
 */
export async function changeStoredSetting<T, U>(key: string, parse: (stored: unknown) => T, change: (current: T) => U): Promise<U> {
  const next = await transaction(async (tx) => {
    await tx
      .insert(settings)
      .values({ key, value: '{}' })
      .onConflictDoUpdate({ target: settings.key, set: { value: sql`${settings.value}` } });
    const next = change(await readStoredSetting(key, parse));
    await tx
      .update(settings)
      .set({ value: JSON.stringify(next), updatedAt: new Date().toISOString() })
      .where(eq(settings.key, key));
    return next;
  });
  expire(cacheTags.content);
  return next;
}
