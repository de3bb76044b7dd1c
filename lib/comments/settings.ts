import { eq } from 'drizzle-orm';
import { getDb } from '@/db';
import { settings } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { type SettingsUpdate, type SiteSettings, siteSettingsSchema } from '@/lib/comments/schemas';

// Until the route definitions import it from lib/comments/schemas.ts.

const KEY = 'site';

/**
 * The last stored text of each settings row and what it parsed to. The row is read on every call,
 * so a change made by another process counts at once, but the parsing is done only when the stored
 * text changes: a comment post reads the settings several times.
 */
const lastParsed = new Map<string, { raw: string | undefined; value: unknown }>();

/** A settings row parsed with `parse`, which gets `{}` for a missing or hand-broken value. */
export function readStoredSetting<T>(key: string, parse: (stored: unknown) => T): T {
  const raw = getDb().select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
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

/** Stores a settings row and expires every page: settings decide what each one shows. */
export function writeStoredSetting(key: string, value: unknown): void {
  const text = JSON.stringify(value);
  const now = new Date().toISOString();
  getDb()
    .insert(settings)
    .values({ key, value: text, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: text, updatedAt: now } })
    .run();
  expire(cacheTags.content);
}

export function getSettings(): SiteSettings {
  return readStoredSetting(KEY, (stored) => {
    const parsed = siteSettingsSchema.safeParse(stored);
    return parsed.success ? parsed.data : siteSettingsSchema.parse({});
  });
}

export function updateSettings(patch: SettingsUpdate): SiteSettings {
  const next = siteSettingsSchema.parse({ ...getSettings(), ...patch });
  writeStoredSetting(KEY, next);
  return next;
}
