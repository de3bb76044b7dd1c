import { eq, sql } from 'drizzle-orm';
import { preparedQuery, transaction } from '@/db';
import { settings } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { type CommentSettingsUpdate, type CommentSettings, commentSettingsSchema } from '@/lib/comments/schemas';

// Until the route definitions import it from lib/comments/schemas.ts.

/** The comment settings' row. Its key predates the Site page's own row ('identity'); renaming it would orphan stored settings. */
const KEY = 'site';

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

const parseCommentSettings = (stored: unknown): CommentSettings => {
  const parsed = commentSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : commentSettingsSchema.parse({});
};

export function getCommentSettings(): Promise<CommentSettings> {
  return readStoredSetting(KEY, parseCommentSettings);
}

export function updateCommentSettings(patch: CommentSettingsUpdate): Promise<CommentSettings> {
  return changeStoredSetting(KEY, parseCommentSettings, (current) => commentSettingsSchema.parse({ ...current, ...patch }));
}
